import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { build, version as esbuildVersion, type BuildOptions, type Metafile } from 'esbuild';

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

/** esbuild's options for the islands (the entries, the output directory and the metafile added per build) */
const OPTIONS: BuildOptions = {
  absWorkingDir: ROOT,
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
  logLevel: 'silent',
};

/** what a build is made of: its files under `dir`, relative path → content, walked in name order */
function filesUnder(dir: string, out: [string, Buffer][] = [], base = dir): [string, Buffer][] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) filesUnder(full, out, base);
    else if (entry.isFile()) out.push([path.relative(base, full).split(path.sep).join('/'), fs.readFileSync(full)]);
  }
  return out;
}

/**
 * The key of a build's inputs: every file under the client sources, the installed packages (package-lock.json),
 * esbuild's version and options. The same key gives the same bundles, so a build made by an earlier process (or
 * another one) is used again instead of bundled anew.
 */
export function clientInputsKey(sourceDir = CLIENT_SOURCE, lockFile = path.join(ROOT, 'package-lock.json')): string {
  const hash = createHash('sha256');
  hash.update(`esbuild ${esbuildVersion}\0${JSON.stringify(OPTIONS)}\0`);
  hash.update(fs.existsSync(lockFile) ? fs.readFileSync(lockFile) : Buffer.alloc(0));
  for (const [name, content] of filesUnder(sourceDir)) {
    hash.update(`\0${name}\0${content.length}\0`);
    hash.update(content);
  }
  return hash.digest('hex').slice(0, 32);
}

/** what a build wrote, kept beside its files: the manifest and every file it made (chunks and assets too) */
interface Kept extends Pick<ClientAssets, 'scripts' | 'styles'> {
  files: string[];
}

const keptPath = (outdir: string, key: string) => path.join(outdir, `manifest-${key}.json`);

/** an earlier build of these inputs, when its manifest and every file it lists are still there */
function earlierBuild(outdir: string, key: string): ClientAssets | null {
  let kept: Kept;
  try {
    kept = JSON.parse(fs.readFileSync(keptPath(outdir, key), 'utf8')) as Kept;
  } catch {
    return null;
  }
  if (!Array.isArray(kept.files) || !kept.files.every((f) => typeof f === 'string' && fs.existsSync(path.join(outdir, f)))) return null;
  return { dir: outdir, scripts: kept.scripts, styles: kept.styles };
}

/** Bundles the islands, or answers an earlier build of the same inputs; `reused` says which. */
export async function buildOrReuse(outdir: string): Promise<{ assets: ClientAssets; reused: boolean }> {
  const key = clientInputsKey();
  const earlier = earlierBuild(outdir, key);
  if (earlier) return { assets: earlier, reused: true };
  // esbuild writes the files itself, into a directory of this process's own, and each is then renamed into
  // place: the bundles (megabytes of script) never pass through this process's memory (issue 13 P4), and a
  // file another process serves is never seen half-written (several processes may start together; a
  // content-hashed name that exists already has these bytes)
  fs.mkdirSync(outdir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(outdir, `.staging-${process.pid}-`));
  try {
    const result = await build({ ...OPTIONS, entryPoints: entries(), outdir: staging, metafile: true, write: true });
    const files: string[] = [];
    for (const file of Object.keys(result.metafile.outputs)) {
      const from = path.resolve(ROOT, file);
      const relative = path.relative(staging, from);
      files.push(relative.split(path.sep).join('/'));
      const to = path.join(outdir, relative);
      if (fs.existsSync(to)) continue;
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.renameSync(from, to);
    }
    const assets: ClientAssets = { dir: outdir, ...manifest(result.metafile, staging) };
    // the manifest last, written whole and renamed into place: a process that finds it finds every file it lists
    const kept: Kept = { scripts: assets.scripts, styles: assets.styles, files };
    const temp = path.join(staging, 'manifest.json');
    fs.writeFileSync(temp, JSON.stringify(kept));
    fs.renameSync(temp, keptPath(outdir, key));
    return { assets, reused: false };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

const builds = new Map<string, Promise<ClientAssets>>();

/**
 * Bundles the browser code (TypeScript in src/client, one entry per island) with esbuild into
 * content-hashed files in public/build, once per process — or reuses the build an earlier process made of the
 * same inputs (clientInputsKey): pages name the files through the manifest this returns. Served from our own origin (the district intranet has no internet).
 */
export function buildClient(outdir = BUILD_DIR): Promise<ClientAssets> {
  let p = builds.get(outdir);
  if (!p) {
    p = buildOrReuse(outdir).then((b) => b.assets);
    p.catch(() => builds.delete(outdir));
    builds.set(outdir, p);
  }
  return p;
}
