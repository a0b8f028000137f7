/**
 * An xAPI ("Tin Can API") package as its tincan.xml describes it (Rustici's tincan.xsd, the format
 * Storyline, Captivate, iSpring and Lectora export): activities with names and descriptions per
 * language, and the one that is launched — the course activity.
 */

/** Text per language tag as written (`und` when the tool did not say). */
export type LanguageMap = Readonly<Record<string, string>>;

export interface TinCanActivity {
  readonly id: string;
  /** The activity type as written (`course`, `http://adlnet.gov/expapi/activities/course`, …), or null. */
  readonly type: string | null;
  readonly names: LanguageMap;
  readonly descriptions: LanguageMap;
  /** The launch file inside the package, query kept; null for activities that are not launched. */
  readonly launch: string | null;
}

export interface TinCanManifest {
  readonly standard: 'xapi';
  readonly edition: 'tincan';
  readonly title: string;
  /** The launched activity's id: the `activity_id` launch parameter, and what the outcome is read from. */
  readonly courseActivityId: string;
  /** The launch file of the course activity, relative to the package root (query kept). */
  readonly launch: string;
  readonly activities: readonly TinCanActivity[];
}

/**
 * The activity ids a launch credential may write about: every id tincan.xml lists, and ids under
 * the course activity (`<course id>/…`, `#…`, `?…`), which is how the authoring tools name slides,
 * questions and objectives they do not list.
 */
export function activityInPackage(manifest: Pick<TinCanManifest, 'courseActivityId' | 'activities'>, activityId: string): boolean {
  const course = manifest.courseActivityId;
  if (activityId === course) return true;
  if (activityId.startsWith(course) && /^[/#?]/.test(activityId.slice(course.length))) return true;
  return manifest.activities.some((a) => a.id === activityId);
}

/** The text for a locale: the exact tag, its language (`nb` for `nb-NO`), `und`, English, then any. */
export function inLanguage(map: LanguageMap, locale: string): string | undefined {
  const tags = Object.keys(map);
  const lower = locale.toLowerCase();
  const pick = (test: (tag: string) => boolean) => tags.find((tag) => test(tag.toLowerCase()));
  const tag = pick((t) => t === lower) ?? pick((t) => t.split('-')[0] === lower) ?? pick((t) => t === 'und') ?? pick((t) => t.startsWith('en')) ?? tags[0];
  return tag === undefined ? undefined : map[tag];
}
