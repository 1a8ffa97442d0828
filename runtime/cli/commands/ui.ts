// `trackwell ui`: print the dashboard's loopback URL, starting the runtime if needed.
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { dataRoot, type GlobalOptions } from '../context';
import { ensureRuntime } from '../../server/daemon';

export function registerUiCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('ui')
    .description('Print the dashboard URL (starting the runtime if none is running) and optionally open it.')
    .option('--open', 'open the dashboard in the default browser')
    .action(async (o: { open?: boolean }) => {
      const rt = await ensureRuntime(dataRoot(globals()));
      // The token travels in the fragment, which browsers never send to a server.
      const url = `${rt.url}/#token=${rt.token}`;
      console.log(`Trackwell dashboard: ${url}`);
      if (o.open) {
        const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
        spawn(opener, [url], { detached: true, stdio: 'ignore' }).on('error', () => console.error(`Could not run ${opener}; open the URL yourself.`)).unref();
      }
    });
}
