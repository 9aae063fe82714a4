export const SINCE_CHOICES = ["hour", "day", "week", "all"] as const;
export type SinceChoice = (typeof SINCE_CHOICES)[number];

const SPAN: Record<SinceChoice, number | null> = { hour: 3600, day: 86_400, week: 7 * 86_400, all: null };

/** The `since` bound for a choice, counted back from `now` (Unix seconds). */
export function sinceBound(choice: SinceChoice, now: number): number | null {
  const span = SPAN[choice];
  return span === null ? null : now - span;
}
