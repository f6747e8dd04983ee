/**
 * The bells heard during one claim round. Every bell of the round shares one
 * promise, answered when the claim that covers them ends, so a burst of bells
 * costs one allocation, not one per bell.
 */
export interface BellRound {
  /** Resolves when the round's claim has ended. */
  answered: Promise<void>;
  /** Resolves {@link BellRound.answered}. */
  answer: () => void;
}

/** Opens a round whose bells are answered together. */
export function openBellRound(): BellRound {
  let answer = (): void => {};
  const answered = new Promise<void>((resolve) => {
    answer = resolve;
  });
  return { answered, answer };
}
