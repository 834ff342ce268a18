/**
 * The error taxonomy (n8n/Ghost): business, operational, bug. Each AppError kind maps to exactly one
 * HTTP status in web/middleware/error-handler.ts — nowhere else.
 */
export type ErrorKind =
  | 'malformed' // 400
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not-found' // 404
  | 'conflict' // 409
  | 'too-large' // 413
  | 'unsupported-media' // 415
  | 'unprocessable' // 422: rule or validation failure
  | 'throttled'; // 429

export interface RuleDetail {
  rule?: string;
  article?: string;
  field?: string;
  elementId?: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly code: string = kind,
    readonly details?: RuleDetail[],
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const malformed = (message: string, details?: RuleDetail[]) => new AppError('malformed', message, 'malformed', details);
export const unauthenticated = (message = '未登录或登录已过期') => new AppError('unauthenticated', message);
export const forbidden = (message = '无权执行此操作') => new AppError('forbidden', message);
export const notFound = (message = '未找到') => new AppError('not-found', message);
export const conflict = (message: string, code = 'conflict') => new AppError('conflict', message, code);
export const unprocessable = (message: string, details: RuleDetail[], code = 'unprocessable') =>
  new AppError('unprocessable', message, code, details);
export const throttled = (message = '操作过于频繁，请稍后再试') => new AppError('throttled', message);

/** A business error thrown by a handler: a boundary error event with this code catches it. */
export class BpmnError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BpmnError';
  }
}
