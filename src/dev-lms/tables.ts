import type { ColumnType, Generated } from 'kysely';

export interface DevLmsKeysTable {
  kid: string;
  public_jwk: ColumnType<Record<string, unknown>, string, string>;
  private_key_encrypted: string;
  created_at: ColumnType<Date, never, never>;
}

export interface DevLmsLineItemsTable {
  id: Generated<number>;
  context_id: string;
  resource_link_id: string | null;
  resource_id: string | null;
  tag: string | null;
  label: string;
  score_maximum: number;
  created_at: ColumnType<Date, never, never>;
}

export interface DevLmsScoresTable {
  id: Generated<number>;
  line_item_id: number;
  user_id: string;
  score_given: number | null;
  score_maximum: number | null;
  activity_progress: string;
  grading_progress: string;
  comment: string | null;
  timestamp: string;
  received_at: ColumnType<Date, never, never>;
}

export interface DevLmsLinksTable {
  id: string;
  context_id: string;
  title: string;
  custom: ColumnType<Record<string, string>, string, string>;
  created_at: ColumnType<Date, never, never>;
}

export interface DevLmsTables {
  dev_lms_links: DevLmsLinksTable;
  dev_lms_keys: DevLmsKeysTable;
  dev_lms_line_items: DevLmsLineItemsTable;
  dev_lms_scores: DevLmsScoresTable;
}
