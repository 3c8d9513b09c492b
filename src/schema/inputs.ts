import { ArrayMaxSize, ArrayMinSize, IsOptional, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { Field, Float, ID, InputType } from 'type-graphql';
import type { ProductFilter, ProductInput } from '../catalog/product';
import { MAX_ID_LENGTH, MAX_IMAGES_PER_PRODUCT } from '../catalog/product-fields';
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

@InputType({
  description:
    'What a discover query starts from: any combination of a photo, a text, a text modifier, products to steer ' +
    'towards and products to steer away from. Every vector signal counts once towards one query direction; give at ' +
    'least one of image, text, keywords and positiveIds.',
})
export class DiscoverInput {
  @Field(() => ImageInput, { nullable: true, description: 'A photo to find products like (embedded by the image tower).' })
  @ValidateNested()
  image?: ImageInput;

  @Field(() => String, { nullable: true, description: 'A description to find products like (embedded by the text tower).' })
  @IsOptional()
  @MinLength(1)
  @MaxLength(512)
  text?: string;

  @Field(() => String, {
    nullable: true,
    description:
      'BM25 keywords on title and description; with a vector signal too, both sides are fused by reciprocal rank.',
  })
  @IsOptional()
  @MinLength(1)
  @MaxLength(512)
  keywords?: string;

  @Field(() => String, {
    nullable: true,
    description:
      'Changes what the image, text or products describe: "red" or "but in red" moves the query towards red, ' +
      '"without stripes" (also "no …", "not …") away from stripes. SigLIP vector arithmetic: the unit query ' +
      'direction plus modifierWeight times the modifier\'s unit text vector. Needs image, text or positiveIds.',
  })
  @IsOptional()
  @MinLength(1)
  @MaxLength(200)
  modifier?: string;

  @Field(() => Float, {
    nullable: true,
    description: "How far the modifier pulls, 0 to 4 (0 ignores it); the server's SEARCH_MODIFIER_WEIGHT when absent.",
  })
  @IsOptional()
  @Min(0)
  @Max(4)
  modifierWeight?: number;

  @Field(() => [ID], { nullable: true, description: 'Products to steer towards (0-50); never returned themselves.' })
  @IsOptional()
  @ArrayMaxSize(50)
  @MaxLength(MAX_ID_LENGTH, { each: true })
  positiveIds?: string[];

  @Field(() => [ID], { nullable: true, description: 'Products to steer away from (0-50); never returned themselves.' })
  @IsOptional()
  @ArrayMaxSize(50)
  @MaxLength(MAX_ID_LENGTH, { each: true })
  negativeIds?: string[];
}
