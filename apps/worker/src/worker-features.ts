import { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JobName } from '../../../libs/queue/src';

/** Feature services (compliance, upgrades, inspections) that register job handlers. */
export const WORKER_FEATURE_PROVIDERS: Provider[] = [];
/** Repositories those features need, built over the worker's DataSource. */
export const WORKER_FEATURE_REPOSITORIES: Array<new (db: DataSource) => unknown> = [];
/** Jobs whose handlers are not built yet; the start-up check skips them until they land. */
export const UNIMPLEMENTED_JOBS: JobName[] = [JobName.ScanCluster, JobName.RunUpgrade, JobName.RunInspection];
