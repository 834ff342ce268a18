import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { AppError, type ErrorKind } from '../../domain/errors';

/** The one place where errors become HTTP. */
const STATUS: Record<ErrorKind, number> = {
  malformed: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  'unsupported-media': 415,
  unprocessable: 422,
  throttled: 429,
};

/** body-parser and multer raise their own errors: name them in our taxonomy. */
function fromFramework(err: unknown): AppError | null {
  const e = err as { type?: string; status?: number; code?: string; message?: string };
  if (e?.type === 'entity.parse.failed') return new AppError('malformed', '请求体不是有效的 JSON', 'malformed');
  if (e?.type === 'entity.too.large' || e?.code === 'LIMIT_FILE_SIZE') return new AppError('too-large', '请求内容过大', 'too-large');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported')
    return new AppError('unsupported-media', '不支持的编码', 'unsupported-media');
  if (e?.code?.startsWith?.('LIMIT_')) return new AppError('malformed', `上传格式不正确（${e.code}）`, 'malformed');
  // a path with malformed %-encoding (express's router cannot decode the parameter)
  if (err instanceof URIError || (e?.status === 400 && /decode/i.test(e.message ?? ''))) return new AppError('malformed', '请求地址的编码不正确', 'malformed');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.type) {
    return new AppError('malformed', '请求格式不正确', 'malformed');
  }
  return null;
}

export function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const known = err instanceof AppError ? err : fromFramework(err);
    const status = known ? STATUS[known.kind] : 500;
    const body = known
      ? { error: { code: known.code, message: known.message, ...(known.details ? { details: known.details } : {}) } }
      : { error: { code: 'internal', message: '服务器内部错误' } };
    if (!known) log.error({ event: 'http.error', err, method: req.method, path: req.path }, 'unhandled error');
    else log.debug({ event: 'http.refused', status, code: known.code, path: req.path });
    if (res.headersSent) return;
    if (req.path.startsWith('/api/') || req.path === '/healthz' || !req.accepts('html')) {
      return res.status(status).json(body);
    }
    const t = req.t;
    const titleKey = status === 404 ? 'notFoundTitle' : status === 403 ? 'forbiddenTitle' : 'errorTitle';
    res.status(status).render('error', {
      title: t(titleKey),
      message: known ? known.message : t('errorBody'),
      status,
    });
  };
}

export function notFoundHandler(req: Request, res: Response) {
  if (req.path.startsWith('/api/')) {
    return res.status(404).json({ error: { code: 'not-found', message: `未找到 ${req.method} ${req.path}` } });
  }
  res.status(404).render('error', { title: req.t('notFoundTitle'), message: req.t('notFoundBody'), status: 404 });
}
