import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditRepository } from '@flotilla/persistence';
import { isUuid } from '@flotilla/validation';
import { ViewerContext } from '../auth/viewer';
import { DomainError, ErrorCode } from './domain.errors';
import { DATA_SOURCE } from '@flotilla/infrastructure';

/** Refusals an organization's admins must be able to see: a role too small, or an id that is not theirs (or nobody's). */
const DENIED = new Set<ErrorCode>([ErrorCode.Forbidden, ErrorCode.NotFound]);

/**
 * The id the refused call aimed at, when it looks like one: `id`, or an `input.…Id`; anything else is
 * not stored. It goes into the details, not targetId: it may name nothing of this organization.
 */
function requestedIdOf(args: Record<string, unknown>): string | undefined {
  const input = (args.input ?? {}) as Record<string, unknown>;
  const candidates = [args.id, ...Object.entries(input).filter(([k]) => k.endsWith('Id')).map(([, v]) => v)];
  return candidates.find((v): v is string => typeof v === 'string' && isUuid(v));
}

/**
 * A refused mutation leaves an audit event with outcome DENIED (the mutation's own transaction, if
 * it had begun, was rolled back with its audit event). Called by GraphqlErrorFilter, which every
 * refusal passes — the guard's FORBIDDEN and the services' NOT_FOUND alike.
 */
@Injectable()
export class DeniedMutationAudit {
  private readonly logger = new Logger('Audit');

  constructor(
    private readonly audit: AuditRepository,
    @Inject(DATA_SOURCE) private readonly db: DataSource,
  ) {}

  isDenial(error: unknown): error is DomainError {
    return error instanceof DomainError && DENIED.has(error.code);
  }

  async record(viewer: ViewerContext, mutation: string, args: Record<string, unknown>, error: DomainError): Promise<void> {
    try {
      await this.audit.record(this.db, viewer.organizationId, {
        actor: viewer.actor,
        action: mutation,
        outcome: 'DENIED',
        details: { code: error.code, reason: error.message, requestedId: requestedIdOf(args) ?? null },
      });
    } catch (err) {
      // The caller still gets its refusal; the log says the audit trail has a gap.
      this.logger.error({ err: (err as Error).name, message: (err as Error).message, mutation }, 'could not record a DENIED audit event');
    }
  }
}
