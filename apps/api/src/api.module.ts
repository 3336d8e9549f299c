import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, MercuriusDriverConfig } from '@nestjs/mercurius';
import { AppConfig } from '@flotilla/config';
import { DeniedMutationAudit } from './common/denied-mutation.audit';
import { AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import { RateLimitService } from './auth/rate-limit.service';
import { RequestGate } from './auth/request-gate';
import { GraphqlErrorFilter } from './common/graphql-error.filter';
import { graphqlOptions } from './common/graphql-options';
import './common/enums';
import { MetricsService } from './health/metrics.service';
import { ObservabilityModule } from './health/observability.module';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { API_FEATURE_REPOSITORIES, FEATURE_MODULES } from './feature-modules';

/** The API process: GraphQL (Mercurius, JIT), authentication, the error filter, and the feature modules. */
@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        InfrastructureModule.forRoot(config, API_FEATURE_REPOSITORIES),
        ObservabilityModule,
        AuthModule,
        GraphQLModule.forRootAsync<MercuriusDriverConfig>({
          driver: MercuriusDriver,
          imports: [AuthModule],
          inject: [MetricsService, RequestGate, RateLimitService],
          useFactory: (metrics: MetricsService, gate: RequestGate, limits: RateLimitService) => graphqlOptions(config, metrics, gate, limits),
        }),
        ...FEATURE_MODULES,
      ],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: GraphqlErrorFilter },
        DeniedMutationAudit,
      ],
    };
  }
}
