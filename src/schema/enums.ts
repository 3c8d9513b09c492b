import { registerEnumType } from 'type-graphql';
import { IngestStatus, SearchMode } from '../catalog/product';
import { Relation } from '../catalog/relation';

/** The domain's enums, registered once with their GraphQL descriptions. */

registerEnumType(SearchMode, {
  name: 'SearchMode',
  description: 'How searchByText matches the text to products.',
  valuesConfig: {
    HYBRID: { description: 'SigLIP text-to-image kNN fused with BM25 keyword search (reciprocal rank fusion).' },
    VECTOR: { description: 'SigLIP text-to-image kNN only.' },
    KEYWORD: { description: 'BM25 on title and description only.' },
  },
});

registerEnumType(IngestStatus, {
  name: 'IngestStatus',
  description: 'What an ingest did to the stored product.',
  valuesConfig: {
    CREATED: { description: 'No product with this id was stored; it is now.' },
    UPDATED: { description: 'The stored product differed and was replaced (only changed images were embedded again).' },
    UNCHANGED: { description: 'The same input was already stored; nothing was written.' },
  },
});

/** The GraphQL side of catalog/relation.ts's Relation (a const object, so tools can use its plain string values). */
export const RelationEnum = { ...Relation };
registerEnumType(RelationEnum, {
  name: 'Relation',
  description: "How close a product's image is to what it was found for; cut points calibrated per model (models/<name>/calibration.json).",
  valuesConfig: {
    DUPLICATE: { description: 'The same image re-encoded, resized, lightly cropped or watermarked.' },
    VARIANT: { description: 'The same product in another colour or pattern, or another shot of it.' },
    SIMILAR: { description: 'Any other product.' },
  },
});

export { IngestStatus, SearchMode };
