import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, MercuriusDriverConfig } from '@nestjs/mercurius';
import type { FastifyRequest } from 'fastify';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import { AppConfig } from '../../../libs/config/src';
import { AuditResolver } from './audit/audit.resolver';
import { AuthGuard } from './auth/auth.guard';
import { AuthenticationService } from './auth/authentication.service';
import { GraphqlErrorFilter } from './common/graphql-error.filter';
import { queryCostRule } from './common/query-cost.rule';
import './common/enums';
import { ClusterGroupResolver } from './clusters/cluster-group.resolver';
import { ClusterResolver } from './clusters/cluster.resolver';
import { ClusterService } from './clusters/cluster.service';
import { FleetResolver } from './fleet/fleet.resolver';
import { MetricsService } from './health/metrics.service';
import { ObservabilityModule } from './health/observability.module';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { ApiTokenResolver } from './tokens/api-token.resolver';
import { ApiTokenService } from './tokens/api-token.service';
import { FEATURE_MODULES } from './feature-modules';

const MAX_QUERY_DEPTH = 10;
/** See queryCostRule: 200 clusters with their details fit; pages of pages do not. */
const MAX_QUERY_COST = 20_000;

function operationLabel(request: FastifyRequest): string {
  const name = (request.body as { operationName?: unknown } | undefined)?.operationName;
  return typeof name === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(name) ? name : 'anonymous';
}

/** The API process: GraphQL (Mercurius, JIT), guards, and the registry's resolvers. */
@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        InfrastructureModule.forRoot(config),
        ObservabilityModule,
        GraphQLModule.forRootAsync<MercuriusDriverConfig>({
          driver: MercuriusDriver,
          inject: [MetricsService],
          useFactory: (metrics: MetricsService) => ({
            autoSchemaFile: true,
            sortSchema: true,
            jit: 1,
            // Development only (FLOTILLA_GRAPHIQL); Mercurius's page loads GraphiQL itself from unpkg.com.
            graphiql: config.api.graphiql,
            queryDepth: MAX_QUERY_DEPTH,
            validationRules: [queryCostRule(MAX_QUERY_COST), ...(config.api.introspection ? [] : [NoSchemaIntrospectionCustomRule])],
            context: (request: FastifyRequest) => ({ request }),
            hooks: {
              onResolution: async (execution, context) => {
                const request = (context as unknown as { request: FastifyRequest }).request;
                metrics.graphqlOperations.inc({ operation: operationLabel(request), outcome: execution.errors?.length ? 'error' : 'ok' });
              },
            },
          }),
        }),
        ...FEATURE_MODULES,
      ],
      providers: [
        AuthenticationService,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: GraphqlErrorFilter },
        ClusterService,
        ClusterResolver,
        ClusterGroupResolver,
        FleetResolver,
        ApiTokenService,
        ApiTokenResolver,
        AuditResolver,
      ],
    };
  }
}
