import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { parse } from 'graphql';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const outDir = join(here, '../../dist/dashboard');

/**
 * `import { ClusterList } from '../contract/registry.graphql'`: each operation of a .graphql file
 * as its own document text, cut from the file exactly as written (with the file's fragments),
 * so the dashboard sends the contract's operations unchanged and an unknown name fails the build.
 */
function graphqlOperations(): Plugin {
  return {
    name: 'flotilla-graphql-operations',
    transform(source, id) {
      if (!id.endsWith('.graphql')) return null;
      const doc = parse(source);
      const fragments = doc.definitions
        .filter((d) => d.kind === 'FragmentDefinition')
        .map((d) => source.slice(d.loc!.start, d.loc!.end));
      const lines: string[] = [];
      for (const def of doc.definitions) {
        if (def.kind !== 'OperationDefinition' || !def.name) continue;
        const text = [source.slice(def.loc!.start, def.loc!.end), ...fragments].join('\n\n');
        lines.push(`export const ${def.name.value} = ${JSON.stringify(text)};`);
      }
      return { code: lines.join('\n'), map: null };
    },
  };
}

/** `.br` and `.gz` beside every larger text file: the API sends them as they are, compressing nothing per request. */
function precompress(): Plugin {
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((e) => (statSync(join(dir, e)).isDirectory() ? walk(join(dir, e)) : [join(dir, e)]));
  return {
    name: 'flotilla-precompress',
    apply: 'build',
    closeBundle() {
      for (const file of walk(outDir)) {
        if (!/\.(js|css|html|svg|json)$/.test(file)) continue;
        const body = readFileSync(file);
        if (body.length < 1024) continue;
        writeFileSync(`${file}.br`, brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }));
        writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  root: here,
  base: '/',
  plugins: [graphqlOperations(), react(), precompress()],
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
  // `npx vite --config apps/dashboard/vite.config.mts` for live reloading against a running API.
  server: { proxy: { '/graphql': 'http://127.0.0.1:4000' } },
});
