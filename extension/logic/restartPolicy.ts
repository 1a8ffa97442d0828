// When the runtime goes away (it crashed, was killed, or its socket dropped), whether and when to start
// it again, and when to give up and say so. Kept free of `vscode` and timers so it can be unit-tested:
// RuntimeConnection feeds it what happened and follows its decisions.

export interface RestartPolicyOptions {
  /** delay before the first reconnect attempt after a drop */
  baseDelayMs: number;
  /** the backoff doubles per failed attempt up to this */
  maxDelayMs: number;
  /** consecutive failed attempts (the runtime would not start or answer) before giving up */
  maxTries: number;
  /** more than `maxDrops` drops within `windowMs` is a crash loop: give up rather than restart again */
  maxDrops: number;
  windowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = { baseDelayMs: 500, maxDelayMs: 10000, maxTries: 6, maxDrops: 5, windowMs: 5 * 60_000 };

export type RestartDecision =
  | { action: 'retry'; delayMs: number; attempt: number }
  | { action: 'give-up'; message: string };

export class RestartPolicy {
  private readonly opts: RestartPolicyOptions;
  private tries = 0;
  private drops: number[] = [];
  private gaveUp?: string;

  constructor(opts: Partial<RestartPolicyOptions> = {}) {
    this.opts = { ...DEFAULT_RESTART_POLICY, ...opts };
  }

  /** Why automatic restarts stopped, while they are stopped. */
  get givenUp(): string | undefined {
    return this.gaveUp;
  }

  /** The link to a runtime that was serving dropped. */
  onDrop(now: number): RestartDecision {
    if (this.gaveUp) return { action: 'give-up', message: this.gaveUp };
    this.drops = this.drops.filter((t) => now - t < this.opts.windowMs);
    this.drops.push(now);
    this.tries = 0;
    if (this.drops.length > this.opts.maxDrops) {
      const mins = Math.round(this.opts.windowMs / 60_000);
      return this.giveUp(`The Trackwell runtime stopped ${this.drops.length} times within ${mins} minute${mins === 1 ? '' : 's'}; it is not restarted automatically again.`);
    }
    return { action: 'retry', delayMs: this.opts.baseDelayMs, attempt: 1 };
  }

  /** A reconnect attempt failed (the runtime would not start, or did not answer). */
  onFailure(_now: number, error: string): RestartDecision {
    if (this.gaveUp) return { action: 'give-up', message: this.gaveUp };
    this.tries++;
    if (this.tries >= this.opts.maxTries) {
      return this.giveUp(`The Trackwell runtime could not be restarted after ${this.tries} tries: ${error}`);
    }
    const delayMs = Math.min(this.opts.baseDelayMs * 2 ** this.tries, this.opts.maxDelayMs);
    return { action: 'retry', delayMs, attempt: this.tries + 1 };
  }

  /** Connected: failed attempts no longer count (recent drops still do, to catch crash loops). */
  onConnected(): void {
    this.tries = 0;
    this.gaveUp = undefined;
  }

  /** The user asked for a restart: start over. */
  reset(): void {
    this.tries = 0;
    this.drops = [];
    this.gaveUp = undefined;
  }

  private giveUp(message: string): RestartDecision {
    this.gaveUp = message;
    return { action: 'give-up', message };
  }
}

/** A runtime this extension started, as recorded when it started (the pid alone could be reused). */
export interface OwnedRuntime {
  pid: number;
  started_at: number;
}

/** Whether the runtime now serving (from runtime.json) is one this extension started. */
export function ownsRuntime(owned: OwnedRuntime | undefined, serving: OwnedRuntime | undefined): boolean {
  return !!owned && !!serving && owned.pid === serving.pid && owned.started_at === serving.started_at;
}

/** What "Restart Runtime" does with the runtime now serving the data root. */
export function restartPlan(owned: OwnedRuntime | undefined, serving: (OwnedRuntime & { alive: boolean }) | undefined): 'start' | 'stop-then-start' | 'reconnect' {
  if (!serving || !serving.alive) return 'start';
  return ownsRuntime(owned, serving) ? 'stop-then-start' : 'reconnect';
}
