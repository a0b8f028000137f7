import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PROJECT_ROOT } from '../../src/project-root.js';

export interface ToolProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly logLines: string[];
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Environment for a child process: this one's, without database settings that would leak in. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  delete base['DATABASE_URL'];
  delete base['TEST_DATABASE_URL'];
  return { ...base, NODE_ENV: 'test', LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: '0', ...env };
}

// A test that times out before it can stop its child must not leave the child running.
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Runs `src/<script>` in a child process with tsx, as `npm start` would run the built file. */
export function spawnTool(script: 'main.ts' | 'cli.ts', args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', `src/${script}`, ...args], {
    cwd: PROJECT_ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Runs a command to its end: its exit code and all it wrote ('close' comes once its output is read, 'exit' may come before). */
export async function runToCompletion(script: 'main.ts' | 'cli.ts', args: string[], env: Record<string, string>) {
  const child = spawnTool(script, args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, stdout, stderr };
}

/** Starts the service and waits for its "running" log line. */
export async function startToolProcess(env: Record<string, string>): Promise<ToolProcess> {
  const child = spawnTool('main.ts', [], env);
  const logLines: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      logLines.push(line);
      try {
        const entry = JSON.parse(line) as { url?: string; msg?: string };
        if (entry.url && entry.msg?.includes('running')) resolve(entry.url);
      } catch {
        // not JSON
      }
    });
    void exited.then((code) => reject(new Error(`the tool exited with ${code} before it was ready:\n${stderr}\n${logLines.join('\n')}`)));
  });
  return {
    child,
    url,
    logLines,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}
