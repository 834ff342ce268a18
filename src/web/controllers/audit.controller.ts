import type { Request, Response } from 'express';
import type { AuditService } from '../../services/audit.service';

/** GET /api/audit/verify — the hash-chained history checked from its first row to the head. */
export function auditController(s: Pick<AuditService, 'verify'>) {
  return {
    async verify(req: Request, res: Response) {
      res.json(await s.verify(req.user!));
    },
  };
}
