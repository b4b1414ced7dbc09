/**
 * What a later layer can store: PostgreSQL refuses NUL and unpaired surrogates in text and jsonb,
 * AWS refuses control characters in tags and names, and a control character in a display name
 * corrupts every log line and page that shows it. Checked on every string of a manifest.
 */

export const STORABLE_TEXT_RULE = 'allowed: printable text; control characters and unpaired surrogates cannot be stored';

/** The longest mapping key: a Kubernetes label or annotation key (253-character prefix, "/", 63-character name). */
export const MAX_KEY_LENGTH = 317;

/**
 * Why `value` cannot be stored, or undefined. Tab, line feed and carriage return pass only where
 * `lineBreaks` allows them (annotation values, which Kubernetes lets hold any text).
 */
export function unstorableText(value: string, lineBreaks = false): string | undefined {
  let character = 0;
  for (let i = 0; i < value.length; i++) {
    character++;
    const code = value.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = value.charCodeAt(i + 1);
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return `contains an unpaired surrogate ${codePoint(code)} at character ${character}`;
    }
    if ((code < 0x20 || (code >= 0x7f && code <= 0x9f)) && !(lineBreaks && (code === 0x09 || code === 0x0a || code === 0x0d))) {
      return `contains the control character ${codePoint(code)} at character ${character}`;
    }
  }
  return undefined;
}

function codePoint(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}
