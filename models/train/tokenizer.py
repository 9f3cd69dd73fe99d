"""Build a Hugging Face `tokenizer.json` that reproduces the TF.js Universal Sentence
Encoder tokenizer (SentencePiece unigram over its 8,000-piece vocabulary, NFKC, spaces
-> U+2581 with one prepended). parity/check_tokenizer.mjs proves the ids match.
"""
import json
import os

RESERVED = 6          # unk, <s>, </s>, extra_token_id_1..3: never produced by TF.js
RESERVED_SCORE = -1e6  # keeps reserved pieces out of every lattice path that has another option


def build(vocab_json: str, out_dir: str, max_tokens: int = 128) -> None:
    vocab = json.load(open(vocab_json))
    pieces = []
    for i, (piece, score) in enumerate(vocab):
        if i == 0:
            pieces.append(["<unk>", 0.0])
        elif i < RESERVED:
            pieces.append([f"<reserved_{i}>", RESERVED_SCORE])
        else:
            # TF.js adds a null score as 0 (JS: null + x === x)
            pieces.append([piece, float(score or 0.0)])
    tok = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        # No added tokens: an added token is matched in the raw text, so "<unk>" typed by a person
        # would become id 0, where TF.js tokenizes it as ordinary pieces.
        "added_tokens": [],
        # Done in the normalizer, not a Metaspace pre-tokenizer: Metaspace skips the prepend
        # when the text already starts with a space, TF.js does not.
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "NFKC"},
            {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"},
            {"type": "Prepend", "prepend": "\u2581"},
        ]},
        "pre_tokenizer": None,
        "post_processor": None,
        "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": False},
        "model": {"type": "Unigram", "unk_id": 0, "vocab": pieces, "byte_fallback": False},
    }
    os.makedirs(out_dir, exist_ok=True)
    json.dump(tok, open(os.path.join(out_dir, "tokenizer.json"), "w"), ensure_ascii=False)
    cfg = {"tokenizer_class": "PreTrainedTokenizerFast", "unk_token": "<unk>", "model_max_length": max_tokens,
           "clean_up_tokenization_spaces": False}
    json.dump(cfg, open(os.path.join(out_dir, "tokenizer_config.json"), "w"), indent=2)


if __name__ == "__main__":
    import sys
    build(sys.argv[1], sys.argv[2])
