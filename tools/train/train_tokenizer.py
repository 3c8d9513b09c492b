"""Train a small Unigram tokenizer (SentencePiece-style) on the synthetic catalog text.

Layout mirrors SigLIP's tokenizer: lowercase normalizer, Metaspace pre-tokenizer, `</s>` appended by a
TemplateProcessing post-processor, right padding with `<pad>` to a fixed 64 and truncation to 64
(truncation reserves room for the `</s>`, so it is always the last non-pad token).
"""
import argparse
import json
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

from common import MAX_LEN, WORK, corpus_for_tokenizer, load_records

SPECIALS = ["<pad>", "</s>", "<unk>"]  # ids 0, 1, 2


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(WORK / "train"))
    ap.add_argument("--out", default=str(WORK / "tokenizer.json"))
    ap.add_argument("--vocab", type=int, default=1000)
    args = ap.parse_args()

    records = load_records(Path(args.data))
    texts = corpus_for_tokenizer(records)

    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.Sequence([normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    trainer = trainers.UnigramTrainer(
        vocab_size=args.vocab,
        special_tokens=SPECIALS,
        unk_token="<unk>",
        shrinking_factor=0.75,
        max_piece_length=16,
        n_sub_iterations=2,
        initial_alphabet=list("abcdefghijklmnopqrstuvwxyz0123456789.,;:!?'\"-&()/$%+#@*"),
    )
    tok.train_from_iterator(texts, trainer=trainer)
    eos = tok.token_to_id("</s>")
    pad = tok.token_to_id("<pad>")
    assert (pad, eos, tok.token_to_id("<unk>")) == (0, 1, 2), "special token ids"
    tok.post_processor = processors.TemplateProcessing(single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", eos)])
    tok.enable_truncation(max_length=MAX_LEN)
    tok.enable_padding(direction="right", pad_id=pad, pad_token="<pad>", length=MAX_LEN)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    tok.save(args.out)

    # sanity: EOS survives truncation
    long = " ".join(["red striped t-shirt with extra words"] * 30)
    enc = tok.encode(long)
    assert len(enc.ids) == MAX_LEN and enc.ids[-1] == eos, enc.ids[-4:]
    enc = tok.encode("Red Striped T-Shirt")
    print("vocab", tok.get_vocab_size(), "example", enc.tokens[:8], enc.ids[:8])
    with open(Path(args.out).with_suffix(".meta.json"), "w") as f:
        json.dump({"vocab_size": tok.get_vocab_size(), "pad_token_id": pad, "eos_token_id": eos}, f)


if __name__ == "__main__":
    main()
