import { MaxLength, ValidateNested } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import type { ProductFilter, ProductInput } from '../catalog/product';
import type { ImageRef } from '../sources/image-source';
import { MAX_BASE64_LENGTH, MAX_URL_LENGTH } from '../sources/limits';
import {
  defineFilterFields,
  defineInputFields,
  fromInputValues,
  type ProductInputShape,
} from './product-fields.graphql';

export { AttributeInput } from './product-fields.graphql';

/** Input bounds live here, on the types, so every entry point gets the same limits. */

@InputType({ description: 'Restricts results. Every list is an any-of; the lists combine with AND.' })
export class ProductFilterInput {}
// Fields from the field table's `filter` entries; the merge types them as the domain's ProductFilter.
export interface ProductFilterInput extends ProductFilter {}
defineFilterFields(ProductFilterInput);

@InputType({ description: 'An image: give exactly one of url or base64.' })
export class ImageInput implements ImageRef {
  @Field(() => String, { nullable: true, description: 'http(s) URL; private and loopback addresses are refused.' })
  @MaxLength(MAX_URL_LENGTH)
  url?: string;

  @Field(() => String, { nullable: true, description: 'The image bytes, base64-encoded (a data: URL prefix is accepted).' })
  @MaxLength(MAX_BASE64_LENGTH)
  base64?: string;
}

/** The GraphQL ProductInput: the field table's input fields and bounds, plus the image. */
@InputType('ProductInput')
export class ProductInputType {
  @Field(() => ImageInput) @ValidateNested() image!: ImageInput;
}
export interface ProductInputType extends ProductInputShape {}
defineInputFields(ProductInputType);

/** The domain ProductInput the ingest service takes. */
export function toProductInput(i: ProductInputType): ProductInput {
  return { ...fromInputValues(i), image: i.image };
}
