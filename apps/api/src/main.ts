import { ConfigError, loadConfig } from '@flotilla/config';
import { createApiApp } from './api-app.factory';
import { AgentGateway } from './agents/agent-gateway';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApiApp(config);
  await app.listen(config.api.port, config.api.host);
  const url = (await app.getUrl()).replace('[::1]', 'localhost');
  const agentEndpoint = await app.get(AgentGateway).listen();
  process.stdout.write(`flotilla agent endpoint on ${agentEndpoint}\n`);
  process.stdout.write(`flotilla api listening on ${url}/graphql\n`);
  process.stdout.write(`flotilla dashboard on ${url}/\n`);
  if (config.api.graphiql) process.stdout.write(`graphiql on ${url}/graphiql (development only: FLOTILLA_GRAPHIQL)\n`);
}

main().catch((err: Error) => {
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `flotilla api failed to start: ${err.message}\n`);
  process.exit(1);
});
