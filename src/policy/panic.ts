/**
 * Explicit requests for urgent help. They go straight to `urgent` without the model
 * (docs/taxonomy.md §4), so they also work before the model has loaded. Phrases are
 * deliberately specific: a bare "help" appears in too many ordinary requests.
 */
export const DEFAULT_HELP_PHRASES: Readonly<Record<string, readonly string[]>> = {
  en: [
    'i need help now', 'i need help right now', 'need help now', 'i need urgent help', 'help me now', 'please help me now',
    'somebody help me', 'someone help me', 'call someone', 'call 911', 'call 999', 'call 112', 'call an ambulance',
    'call the police', 'i am in danger', "i'm in danger", 'i need an ambulance',
  ],
  es: [
    'necesito ayuda ahora', 'necesito ayuda ya', 'necesito ayuda urgente', 'ayudame ahora', 'ayúdame ya', 'ayúdenme',
    'que alguien me ayude', 'llama a alguien', 'llamen a alguien', 'llama a una ambulancia', 'llamen a una ambulancia',
    'llama al 911', 'llama al 112', 'estoy en peligro',
  ],
  ja: ['今すぐ助けて', '助けて', 'たすけて', '助けが必要', '誰か呼んで', '救急車を呼んで', '救急車呼んで', '警察を呼んで'],
  zh: ['我需要帮助', '我需要幫助', '现在需要帮助', '現在需要幫助', '救命', '救救我', '快叫人', '叫救护车', '叫救護車', '快报警', '快報警'],
  fr: ["j'ai besoin d'aide maintenant", "j'ai besoin d'aide tout de suite", 'appelez une ambulance', 'aidez-moi vite'],
  de: ['ich brauche jetzt hilfe', 'ich brauche sofort hilfe', 'ruf einen krankenwagen', 'ruft einen krankenwagen'],
  pt: ['preciso de ajuda agora', 'preciso de ajuda já', 'chamem uma ambulância', 'me ajudem agora'],
};

const SCRIPT_WITHOUT_SPACES = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;

/** Case-, accent-, width- and punctuation-insensitive form; applied alike to phrases and messages. */
export function normalizeForMatch(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .replace(/[’‘`´]/g, "'")
    .replace(/'/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export interface HelpMatcher {
  /** The normalised phrase that matched, or null. */
  match(text: string): string | null;
}

export function createHelpMatcher(phrases: readonly string[]): HelpMatcher {
  const spaced: string[] = [];
  const unspaced: string[] = [];
  for (const p of phrases) {
    const n = normalizeForMatch(p);
    if (!n) continue;
    (SCRIPT_WITHOUT_SPACES.test(n) ? unspaced : spaced).push(n);
  }
  return {
    match(text: string): string | null {
      if (typeof text !== 'string' || text.length === 0) return null;
      // Long messages: a panic phrase is short and near the start or end; bound the work.
      const t = text.length > 20_000 ? text.slice(0, 10_000) + ' ' + text.slice(-10_000) : text;
      const n = normalizeForMatch(t);
      const padded = ` ${n} `;
      for (const p of spaced) if (padded.includes(` ${p} `)) return p;
      for (const p of unspaced) if (n.includes(p)) return p;
      return null;
    },
  };
}
