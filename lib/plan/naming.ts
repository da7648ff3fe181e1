/** `building-01` -> `Building01`: construct IDs from validated names (lower-case, digits, hyphens). */
export function pascalCase(name: string): string {
  return name
    .split('-')
    .filter((part) => part.length > 0)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}

/** Zero-padded index, wide enough for Rainier scale, so names sort in order. */
export function ordinal(i: number, width = 4): string {
  return String(i).padStart(width, '0');
}
