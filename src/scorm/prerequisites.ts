/**
 * SCORM 1.2 prerequisites (CAM 1.2 §2.3.2.2.3, the AICC script subset): item identifiers joined by
 * `&` (and), `|` (or), `~` (not), parentheses, `id = status` / `id <> status`, and sets
 * `n*{a,b,c}` (at least n of them). An identifier alone is satisfied when that item is passed or
 * completed. Status words may be written out or abbreviated (p, c, f, i, b, n).
 */

export type LessonStatusLookup = (itemId: string) => string;

const STATUS_WORDS: Record<string, string> = {
  p: 'passed', passed: 'passed', c: 'completed', completed: 'completed', f: 'failed', failed: 'failed',
  i: 'incomplete', incomplete: 'incomplete', b: 'browsed', browsed: 'browsed', n: 'not attempted', 'not attempted': 'not attempted',
};

const TOKEN = /\s*(<>|[&|~(){}=,*]|"[^"]*"|[^\s&|~(){}=,*<>]+)/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let match: RegExpExecArray | null;
  while (TOKEN.lastIndex < text.length && (match = TOKEN.exec(text))) tokens.push(match[1]!.replace(/^"|"$/g, ''));
  if (text.slice(TOKEN.lastIndex).trim() !== '') throw new Error(`cannot read prerequisites at '${text.slice(TOKEN.lastIndex)}'`);
  return tokens;
}

/** True when the prerequisites are met; an expression that cannot be read blocks nobody. */
export function prerequisitesMet(expression: string | null, status: LessonStatusLookup): boolean {
  if (!expression || expression.trim() === '') return true;
  let tokens: string[];
  try {
    tokens = tokenize(expression);
  } catch {
    return true;
  }
  let i = 0;
  const peek = () => tokens[i];
  const take = () => tokens[i++];
  const done = (id: string) => ['passed', 'completed'].includes(status(id));

  const primary = (): boolean => {
    const token = take();
    if (token === undefined) throw new Error('unexpected end');
    if (token === '~') return !primary();
    if (token === '(') {
      const value = or();
      if (take() !== ')') throw new Error('missing )');
      return value;
    }
    if (/^\d+$/.test(token) && peek() === '*') {
      take();
      if (take() !== '{') throw new Error('missing {');
      const members: string[] = [];
      while (peek() !== '}') {
        const member = take();
        if (member === undefined) throw new Error('missing }');
        if (member !== ',') members.push(member);
      }
      take();
      return members.filter(done).length >= Number(token);
    }
    if (peek() === '=' || peek() === '<>') {
      const op = take();
      const word = STATUS_WORDS[(take() ?? '').toLowerCase()];
      if (!word) throw new Error('unknown status');
      return op === '=' ? status(token) === word : status(token) !== word;
    }
    return done(token);
  };
  const and = (): boolean => {
    let value = primary();
    while (peek() === '&') {
      take();
      const right = primary();
      value = value && right;
    }
    return value;
  };
  const or = (): boolean => {
    let value = and();
    while (peek() === '|') {
      take();
      const right = and();
      value = value || right;
    }
    return value;
  };
  try {
    const value = or();
    return i === tokens.length ? value : true;
  } catch {
    return true;
  }
}
