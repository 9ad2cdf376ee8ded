import { closest, distance } from "fastest-levenshtein";

/** ` (did you mean "x"?)` when a known word is within a couple of edits of `word`, else "". */
export function didYouMean(word: string, known: readonly string[]): string {
  if (known.length === 0) return "";
  const best = closest(word, known as string[]);
  const limit = Math.max(2, Math.floor(word.length / 3));
  return distance(word, best) <= limit ? ` (did you mean "${best}"?)` : "";
}
