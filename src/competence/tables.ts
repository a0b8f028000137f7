import type { ColumnType, Generated } from 'kysely';

export type CompetenceKind = 'education' | 'authorisation' | 'course' | 'experience';

export interface CompetenceAreasTable {
  id: Generated<string>;
  tenant_id: string;
  code: string;
  name_nb: string;
  name_nn: string | null;
  name_en: string | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface CompetencesTable {
  id: Generated<string>;
  tenant_id: string;
  area_id: string;
  code: string;
  name_nb: string;
  name_nn: string | null;
  name_en: string | null;
  description_nb: string | null;
  description_nn: string | null;
  description_en: string | null;
  kind: CompetenceKind;
  default_validity_months: number | null;
  source: string | null;
  retired_at: Date | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface CompetenceLevelsTable {
  competence_id: string;
  level: number;
  description_nb: string;
  description_nn: string | null;
  description_en: string | null;
}

export interface CompetenceTables {
  competence_areas: CompetenceAreasTable;
  competences: CompetencesTable;
  competence_levels: CompetenceLevelsTable;
}
