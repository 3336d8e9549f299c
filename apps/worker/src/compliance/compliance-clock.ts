import { Injectable } from '@nestjs/common';

/**
 * The evaluation seam's clock: a scan's results, history transitions and the expiry of policy
 * exceptions are all judged at `now()` of this clock (the real time in production). Tests move it
 * instead of sleeping.
 */
@Injectable()
export class ComplianceClock {
  now(): Date {
    return new Date();
  }
}
