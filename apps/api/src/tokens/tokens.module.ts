import { Module } from '@nestjs/common';
import { ApiTokenResolver } from './api-token.resolver';
import { ApiTokenService } from './api-token.service';

/** API tokens: create, list, revoke (ADMIN). */
@Module({
  providers: [ApiTokenService, ApiTokenResolver],
})
export class TokensModule {}
