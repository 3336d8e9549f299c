import { Module } from '@nestjs/common';
import { AuditResolver } from './audit.resolver';

/** The audit log (ADMIN reads it; every mutation writes it through its own service). */
@Module({
  providers: [AuditResolver],
})
export class AuditModule {}
