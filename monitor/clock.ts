/** Where monitoring reads the time: the system clock, or one a test moves by hand. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until told to move (tests of `for`, cooldown, silences). */
export function manualClock(start: Date | string): Clock & { set(at: Date | string): void; advance(seconds: number): void } {
  let now = new Date(start);
  return {
    now: () => new Date(now),
    set: (at) => void (now = new Date(at)),
    advance: (seconds) => void (now = new Date(now.getTime() + seconds * 1000)),
  };
}
