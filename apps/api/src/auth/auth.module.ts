import { Global, Module } from '@nestjs/common';
import { AuthenticationService } from './authentication.service';
import { RateLimitService } from './rate-limit.service';
import { RequestGate } from './request-gate';

/** Who is calling and how much they may still spend: used by the HTTP gate, the GraphQL hooks and token revocation. */
@Global()
@Module({ providers: [AuthenticationService, RateLimitService, RequestGate], exports: [AuthenticationService, RateLimitService, RequestGate] })
export class AuthModule {}
