import { Command, Option } from 'commander';
import { CliContext, apiClient } from '../cli-context';
import { CliError } from '../cli-error';
import { WEBHOOK_EVENT_TYPES } from '@flotilla/notifications/webhook-events';
import { emit, formatTable, outputOption, timeAgo } from '../output';

interface Webhook {
  id: string;
  url: string;
  events: string[];
  lastDeliveryAt: string | null;
  lastDeliveryStatus: number | null;
  failingSince: string | null;
}


export function registerWebhookCommands(program: Command, ctx: CliContext): void {
  const webhook = program.command('webhook').description('signed webhooks for fleet events (ADMIN)');

  webhook
    .command('create')
    .description('add a webhook; only its signing secret goes to stdout, shown this once')
    .requiredOption('--url <url>', 'https:// destination (http:// only to localhost in development)')
    .addOption(new Option('--event <event...>', 'events to deliver (repeat or list several)').choices([...WEBHOOK_EVENT_TYPES]).makeOptionMandatory())
    .addHelpText('after', '\nExample: flotilla webhook create --url https://hooks.example.com/flotilla --event SCAN_FINISHED CLUSTER_UNREACHABLE')
    .action(async (opts: { url: string; event: string[] }) => {
      const { createWebhook } = await apiClient(ctx).request<{ createWebhook: { id: string; url: string; events: string[]; secret: string } }>('CreateWebhook', {
        input: { url: opts.url, events: [...new Set(opts.event)] },
      });
      ctx.io.err(`Created webhook ${createWebhook.id} to ${createWebhook.url} for ${createWebhook.events.join(', ')}. Its signing secret is shown only once: store it safely.\n`);
      ctx.io.out(`${createWebhook.secret}\n`);
    });

  webhook
    .command('list')
    .description('list the webhooks (never their secret): events, last delivery, failing since')
    .addOption(outputOption())
    .action(async (opts: { output: string }) => {
      const now = new Date();
      const hooks = await listWebhooks(ctx);
      emit(ctx.io, opts.output, hooks, () =>
        formatTable(
          ['ID', 'URL', 'EVENTS', 'LAST DELIVERY', 'STATUS', 'FAILING SINCE'],
          hooks.map((w) => [
            w.id,
            w.url,
            w.events.join(','),
            timeAgo(w.lastDeliveryAt, now),
            w.lastDeliveryStatus === null ? '-' : w.lastDeliveryStatus === 0 ? 'no response' : String(w.lastDeliveryStatus),
            w.failingSince ? timeAgo(w.failingSince, now) : '-',
          ]),
        ),
      );
    });

  webhook
    .command('delete')
    .description('delete a webhook (by id, or by URL when one webhook has it); pending deliveries are dropped')
    .argument('<webhook>', 'webhook id or URL')
    .action(async (target: string) => {
      const hooks = await listWebhooks(ctx);
      const byUrl = hooks.filter((w) => w.url === target);
      if (!hooks.some((w) => w.id === target) && byUrl.length > 1) {
        throw new CliError(`${byUrl.length} webhooks have this URL: delete one by id (${byUrl.map((w) => w.id).join(', ')})`);
      }
      const found = hooks.find((w) => w.id === target) ?? byUrl[0];
      if (!found) throw new CliError(`no webhook with id or URL ${JSON.stringify(target)} (see flotilla webhook list)`);
      await apiClient(ctx).request<{ deleteWebhook: boolean }>('DeleteWebhook', { id: found.id });
      ctx.io.out(`webhook/${found.id} deleted\n`);
    });
}

async function listWebhooks(ctx: CliContext): Promise<Webhook[]> {
  return (await apiClient(ctx).request<{ webhooks: Webhook[] }>('Webhooks')).webhooks;
}
