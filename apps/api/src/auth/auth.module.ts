import { Global, Module } from '@nestjs/common';
import { AuthenticationService } from './authentication.service';

/** Who is calling: bearer tokens to viewers (the guard uses it; revoking a token forgets it). */
@Global()
@Module({
  providers: [AuthenticationService],
  exports: [AuthenticationService],
})
export class AuthModule {}
