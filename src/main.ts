import http from 'node:http';
import { createGovFlow } from './app';
import { loadConfig } from './config';

async function main() {
  // tsx turns source maps on, and then every SQL statement (sequelize takes a stack trace for each) maps its
  // stack through them: a few per cent of the CPU of a unit of work (issue 13 item 5). SOURCE_MAPS=on keeps them.
  if (process.env.SOURCE_MAPS !== 'on') process.setSourceMapsEnabled(false);
  const config = loadConfig();
  const gf = await createGovFlow(config);
  const seeded = await gf.seed();
  const server = http.createServer(gf.app);
  // a port that cannot be had (taken, not permitted) ends the start with its reason — never a process that runs on without listening
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // fires what fell due while no server ran, then keeps firing timers, retries and the outbox
  gf.scheduler.start();
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  gf.log.info({ event: 'server.started', port, db: gf.db.dialect, seededUsers: seeded.created }, 'GovFlow started');
  const seedNote = config.production ? '' : `\n  演示账号 demo users: admin, sjj, rmyy, …   密码 password: ${config.seedPassword}`;
  process.stdout.write(`\nGovFlow 已启动 / started: http://localhost:${port}/login  (db: ${gf.db.dialect})${seedNote}\n\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    gf.log.info({ event: 'server.stopping', signal });
    server.close();
    await gf.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(`GovFlow failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
