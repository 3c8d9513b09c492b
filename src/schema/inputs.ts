import {
  ArrayMaxSize,
  IsNumber,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { Field, Float, InputType } from 'type-graphql';

/** Input bounds live here, on the types, so every entry point gets the same limits. */

export const MAX_URL_LENGTH = 2048;
/** 10 MiB of image bytes as base64, plus slack for a data: prefix. */
export const MAX_BASE64_LENGTH = Math.ceil((10 * 1024 * 1024 * 4) / 3) + 64;

@InputType({ description: 'Restricts results. Every list is an any-of; the lists combine with AND.' })
export class ProductFilterInput {
  @Field(() => [String], { nullable: true }) @ArrayMaxSize(50) @MaxLength(100, { each: true }) categories?: string[];
  @Field(() => [String], { nullable: true }) @ArrayMaxSize(50) @MaxLength(100, { each: true }) brands?: string[];
  @Field(() => [String], { nullable: true }) @ArrayMaxSize(50) @MaxLength(100, { each: true }) colors?: string[];
  @Field(() => [String], { nullable: true }) @ArrayMaxSize(50) @MaxLength(100, { each: true }) tags?: string[];
  @Field(() => Float, { nullable: true }) @Min(0) minPrice?: number;
  @Field(() => Float, { nullable: true }) @Min(0) maxPrice?: number;
  @Field(() => Boolean, { nullable: true }) inStock?: boolean;
}

@InputType({ description: 'An image: give exactly one of url or base64.' })
export class ImageInput {
  @Field(() => String, { nullable: true, description: 'http(s) URL; private and loopback addresses are refused.' })
  @MaxLength(MAX_URL_LENGTH)
  url?: string;

  @Field(() => String, { nullable: true, description: 'The image bytes, base64-encoded (a data: URL prefix is accepted).' })
  @MaxLength(MAX_BASE64_LENGTH)
  base64?: string;
}

@InputType()
export class AttributeInput {
  @Field(() => String) @MinLength(1) @MaxLength(100) key!: string;
  @Field(() => String) @MaxLength(1000) value!: string;
}

@InputType()
export class ProductInput {
  @Field(() => String, { description: 'Your catalog id. Ingesting the same id again updates the product.' })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._:\-/]{0,127}$/, {
    message: 'id must be 1-128 characters of letters, digits and . _ : - /, starting with a letter or digit',
  })
  id!: string;

  @Field(() => String) @MinLength(1) @MaxLength(500) title!: string;
  @Field(() => String, { nullable: true }) @MaxLength(10_000) description?: string;
  @Field(() => String, { nullable: true }) @MaxLength(200) brand?: string;
  @Field(() => String, { nullable: true }) @MaxLength(200) category?: string;
  @Field(() => String, { nullable: true }) @MaxLength(100) color?: string;
  @Field(() => Float, { nullable: true }) @Min(0) @Max(1e12) price?: number;
  @Field(() => String, { nullable: true }) @Matches(/^[A-Za-z]{3}$/, { message: 'currency must be an ISO 4217 code' }) currency?: string;
  @Field(() => Boolean, { nullable: true, defaultValue: true }) inStock?: boolean;
  @Field(() => [String], { nullable: true }) @ArrayMaxSize(100) @MaxLength(100, { each: true }) tags?: string[];

  @Field(() => [AttributeInput], { nullable: true })
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  attributes?: AttributeInput[];

  @Field(() => ImageInput) @ValidateNested() image!: ImageInput;

  @Field(() => String, { nullable: true, description: 'Where storefronts load the image from; defaults to image.url.' })
  @MaxLength(MAX_URL_LENGTH)
  imageUrl?: string;

  @Field(() => Float, {
    nullable: true,
    description: 'Monotonic catalog version (e.g. updatedAt in ms). An older version never overwrites a newer one.',
  })
  @IsNumber({ maxDecimalPlaces: 0 })
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  version?: number;
}

