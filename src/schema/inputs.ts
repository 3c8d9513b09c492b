import { ArrayMaxSize, ArrayMinSize, MaxLength, ValidateNested } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import type { ProductFilter, ProductInput } from '../catalog/product';
import { MAX_IMAGES_PER_PRODUCT } from '../catalog/product-fields';
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

/** The GraphQL ProductInput: the field table's input fields and bounds, plus the images. */
@InputType('ProductInput', { description: 'A product to ingest. Give exactly one of `image` and `images`.' })
export class ProductInputType {
  @Field(() => ImageInput, { nullable: true, description: 'The product\'s one image (shorthand for `images: [image]`).' })
  @ValidateNested()
  image?: ImageInput;

  @Field(() => [ImageInput], {
    nullable: true,
    description:
      'The product\'s images, its own picture first. Each is embedded, and searches find the product by its ' +
      `best-matching image. At most the server's PRODUCT_MAX_IMAGES (default 8, never more than ${MAX_IMAGES_PER_PRODUCT}); ` +
      'images whose bytes did not change since the last ingest are not embedded again.',
  })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_IMAGES_PER_PRODUCT)
  @ValidateNested({ each: true })
  images?: ImageInput[];
}
export interface ProductInputType extends ProductInputShape {}
defineInputFields(ProductInputType);

/** The domain ProductInput the ingest service takes (it checks that exactly one of image and images was given). */
export function toProductInput(i: ProductInputType): ProductInput {
  return { ...fromInputValues(i), image: i.image ?? null, images: i.images ?? null };
}
