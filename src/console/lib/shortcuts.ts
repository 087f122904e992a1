/** Keyboard shortcuts of the console (shown by "?"). Pure: key → action. */

export type ShortcutAction =
  | { readonly type: 'move'; readonly delta: number }
  | { readonly type: 'ack' }
  | { readonly type: 'resolve' }
  | { readonly type: 'mute' }
  | { readonly type: 'screen'; readonly index: number }
  | { readonly type: 'help' }
  | { readonly type: 'escape' };

export interface KeyLike {
  readonly key: string;
  readonly ctrlKey?: boolean;
  readonly metaKey?: boolean;
  readonly altKey?: boolean;
}

/**
 * The action for a key press, or undefined. While typing in a field only Escape
 * counts, so a note can contain "a" and "r".
 */
export function shortcutFor(e: KeyLike, typing: boolean): ShortcutAction | undefined {
  if (e.ctrlKey || e.metaKey || e.altKey) return undefined;
  if (e.key === 'Escape') return { type: 'escape' };
  if (typing) return undefined;
  switch (e.key) {
    case 'ArrowDown':
    case 'j':
      return { type: 'move', delta: 1 };
    case 'ArrowUp':
    case 'k':
      return { type: 'move', delta: -1 };
    case 'PageDown':
      return { type: 'move', delta: 10 };
    case 'PageUp':
      return { type: 'move', delta: -10 };
    case 'a':
    case 'A':
      return { type: 'ack' };
    case 'r':
    case 'R':
      return { type: 'resolve' };
    case 'm':
    case 'M':
      return { type: 'mute' };
    case '?':
      return { type: 'help' };
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
      return { type: 'screen', index: Number(e.key) - 1 };
    default:
      return undefined;
  }
}

/** The key list for the help dialog, as [keys, message key]. */
export const SHORTCUT_HELP = [
  ['↓ / J', 'help.next'],
  ['↑ / K', 'help.prev'],
  ['A', 'help.ack'],
  ['R', 'help.resolve'],
  ['M', 'help.mute'],
  ['1 2 3 4 5', 'help.screens'],
  ['Esc', 'help.escape'],
] as const;
