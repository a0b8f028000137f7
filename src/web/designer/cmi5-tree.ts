import type { Kysely } from 'kysely';
import type { Cmi5Manifest, Cmi5Node } from '../../content/cmi5-model.js';
import { findPackage, listPackages } from '../../content/packages.js';
import { inLanguage } from '../../content/tincan-model.js';
import type { Schema } from '../../db/schema.js';
import type { Locale } from '../i18n.js';
import { td } from './messages.js';

/** One line of a cmi5 course's tree as designers read it: a block, or an AU with its moveOn and pass mark. */
export interface Cmi5TreeLine {
  readonly id: string;
  readonly depth: number;
  readonly label: string;
}

export function cmi5TreeLines(manifest: Cmi5Manifest, locale: Locale): Cmi5TreeLine[] {
  const lines: Cmi5TreeLine[] = [];
  const walk = (nodes: readonly Cmi5Node[], depth: number) => {
    for (const node of nodes) {
      const title = inLanguage(node.title, locale) ?? node.id;
      if (node.kind === 'block') {
        lines.push({ id: node.id, depth, label: `${title} (${td(locale, 'cmi5.block')})` });
        walk(node.children, depth + 1);
      } else {
        const mastery = node.masteryScore === null ? '' : ` · ${td(locale, 'cmi5.mastery', { percent: Math.round(node.masteryScore * 10000) / 100 })}`;
        lines.push({ id: node.id, depth, label: `${title} (${td(locale, 'cmi5.au', { moveOn: node.moveOn })}${mastery})` });
      }
    }
  };
  walk(manifest.children, 1);
  return lines;
}

/**
 * The choices of a cmi5 step: each cmi5 course of the tenant as a whole, then its blocks and AUs
 * indented under it. A value is the package id, and for a block or AU a space and its publisher id.
 */
export async function cmi5Choices(db: Kysely<Schema>, tenantId: string, locale: Locale): Promise<{ value: string; label: string }[]> {
  const choices: { value: string; label: string }[] = [];
  for (const listed of (await listPackages(db, tenantId)).filter((p) => p.standard === 'cmi5')) {
    const found = await findPackage(db, tenantId, listed.id);
    if (found?.manifest.standard !== 'cmi5') continue;
    choices.push({ value: found.id, label: td(locale, 'cmi5.course', { title: inLanguage(found.manifest.course.title, locale) ?? found.title }) });
    for (const line of cmi5TreeLines(found.manifest, locale)) choices.push({ value: `${found.id} ${line.id}`, label: `${'\u2003'.repeat(line.depth)}${line.label}` });
  }
  return choices;
}
