import { Module } from '@nestjs/common';
import { FleetResolver } from './fleet.resolver';

/** The viewer and the fleet summary: who is asking, and the fleet in counts. */
@Module({
  providers: [FleetResolver],
})
export class FleetModule {}
