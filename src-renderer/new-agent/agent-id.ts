/**
 * Suggests an agent id from a name: readable (it names the log folder) and
 * unique enough (a short random suffix) that starting the same preset twice
 * does not collide. Always matches the contract's AGENT_ID_PATTERN.
 */
const SUFFIX_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789'; // no 0/o, 1/l: easy to read back

export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents off: "Détective" → "detective"
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return slug === '' ? 'agent' : slug;
}

export function randomSuffix(length = 4, random: () => number = Math.random): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += SUFFIX_ALPHABET[Math.floor(random() * SUFFIX_ALPHABET.length)] ?? 'x';
  return out;
}

export function suggestAgentId(name: string, suffix: string = randomSuffix()): string {
  return `${slugify(name)}-${suffix}`;
}
