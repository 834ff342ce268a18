import fs from 'node:fs';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';

/** The browser bundles of the page islands: entry name → the content-hashed files under /build. */
export interface ClientAssets {
  /** where the files are written (public/build) */
  dir: string;
  scripts: Readonly<Record<string, string>>;
  styles: Readonly<Record<string, string>>;
}

const ROOT = path.resolve(__dirname, '../..');
export const CLIENT_SOURCE = path.join(ROOT, 'src/client');
export const BUILD_DIR = path.join(ROOT, 'public/build');
export const BUILD_URL = '/build';

/** One entry per island: every file in src/client/islands becomes /build/<name>-<hash>.js (and .css when it imports styles). */
function entries(): Record<string, string> {
  const dir = path.join(CLIENT_SOURCE, 'islands');
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => [f.slice(0, -3), path.join(dir, f)]),
  );
}

/** Reads esbuild's metafile: each entry's script and, when it imports CSS, its stylesheet. */
function manifest(meta: Metafile, outdir: string): Pick<ClientAssets, 'scripts' | 'styles'> {
  const scripts: Record<string, string> = {};
  const styles: Record<string, string> = {};
  for (const [file, out] of Object.entries(meta.outputs)) {
    if (!out.entryPoint || !file.endsWith('.js')) continue;
    const name = path.basename(out.entryPoint, '.ts');
    scripts[name] = `${BUILD_URL}/${path.relative(outdir, path.resolve(ROOT, file)).split(path.sep).join('/')}`;
    if (out.cssBundle) styles[name] = `${BUILD_URL}/${path.relative(outdir, path.resolve(ROOT, out.cssBundle)).split(path.sep).join('/')}`;
  }
  return { scripts, styles };
}

async function buildOnce(outdir: string): Promise<ClientAssets> {
  // esbuild writes the files itself, into a directory of this process's own, and each is then renamed into
  // place: the bundles (megabytes of script) never pass through this process's memory (issue 13 P4), and a
  // file another process serves is never seen half-written (several processes may start together; a
  // content-hashed name that exists already has these bytes)
  fs.mkdirSync(outdir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(outdir, `.staging-${process.pid}-`));
  try {
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: entries(),
      outdir: staging,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
      minify: true,
      sourcemap: false,
      entryNames: '[name]-[hash]',
      chunkNames: 'chunk-[hash]',
      assetNames: 'asset-[hash]',
      loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'dataurl', '.png': 'file' },
      define: { 'process.env.NODE_ENV': '"production"' },
      legalComments: 'none',
      metafile: true,
      write: true,
      logLevel: 'silent',
    });
    for (const file of Object.keys(result.metafile.outputs)) {
      const from = path.resolve(ROOT, file);
      const to = path.join(outdir, path.relative(staging, from));
      if (fs.existsSync(to)) continue;
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.renameSync(from, to);
    }
    return { dir: outdir, ...manifest(result.metafile, staging) };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

const builds = new Map<string, Promise<ClientAssets>>();

/**
 * Bundles the browser code (TypeScript in src/client, one entry per island) with esbuild into
 * content-hashed files in public/build, once per process: pages name the files through the
 * manifest this returns. Served from our own origin (the district intranet has no internet).
 */
export function buildClient(outdir = BUILD_DIR): Promise<ClientAssets> {
  let p = builds.get(outdir);
  if (!p) {
    p = buildOnce(outdir);
    p.catch(() => builds.delete(outdir));
    builds.set(outdir, p);
  }
  return p;
}
