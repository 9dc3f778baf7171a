import { Problem } from "./http/problems.js";

/** Where a command writes: the process's streams, or a test's buffers. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export type OpenServices<S> = () => Promise<{ services: S; close(): Promise<void> }>;

/** An error as one line: a problem's detail with the fields at fault, or the error's message. */
export function failureLine(err: unknown): string {
  if (err instanceof Problem)
    return [err.detail ?? err.title, ...(err.errors ?? []).map((e) => `${e.pointer}: ${e.message}`)].join("; ");
  return err instanceof Error ? err.message : String(err);
}

/**
 * Opens the services, runs `fn` and closes them again. A failure is one line on stderr and exit code 1, as is
 * `fn` returning false (an operation that ran and failed, already reported).
 */
export async function withServices<S>(
  open: OpenServices<S>,
  io: Output,
  fn: (services: S) => Promise<unknown>,
): Promise<void> {
  const { services, close } = await open();
  try {
    if ((await fn(services)) === false) process.exitCode = 1;
  } catch (err) {
    io.err(`plantao: ${failureLine(err)}\n`);
    process.exitCode = 1;
  } finally {
    await close();
  }
}
