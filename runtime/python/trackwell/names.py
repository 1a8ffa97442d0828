"""Run ids and generated display names."""
import random

from .errors import UsageError

_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
# The characters W&B forbids in run ids: they break `entity/project/id` paths and URLs.
_FORBIDDEN = set('/\\#?%:')
_sysrand = random.SystemRandom()

ADJECTIVES = (
    "amber", "ancient", "autumn", "bold", "brave", "bright", "calm", "celestial", "clear", "cosmic",
    "crimson", "dainty", "dark", "dashing", "deep", "divine", "dry", "eager", "earthy", "electric",
    "elegant", "fancy", "fast", "fearless", "fine", "floral", "fluent", "fresh", "gallant", "gentle",
    "glad", "glorious", "golden", "graceful", "grateful", "happy", "hardy", "hearty", "icy", "jolly",
    "kind", "lively", "lucky", "lunar", "misty", "morning", "noble", "polar", "proud", "quiet",
    "rapid", "rare", "restful", "rosy", "royal", "rustic", "sandy", "serene", "sharp", "silent",
    "smooth", "snowy", "solar", "sparkling", "splendid", "still", "stoic", "summer", "sunny", "swift",
    "tender", "twilight", "vital", "vivid", "warm", "wandering", "wild", "winter", "wise", "woven",
)
NOUNS = (
    "aardvark", "bird", "blaze", "breeze", "brook", "butterfly", "cherry", "cloud", "comet", "cosmos",
    "darkness", "dawn", "deluge", "dew", "dream", "dust", "eon", "feather", "field", "fire",
    "firefly", "flower", "fog", "forest", "frog", "frost", "galaxy", "glade", "glitter", "grass",
    "haze", "hill", "lake", "leaf", "meadow", "moon", "morning", "mountain", "night", "oath",
    "ocean", "paper", "pine", "planet", "plant", "pond", "puddle", "rain", "resonance", "river",
    "salad", "sea", "shadow", "shape", "sky", "smoke", "snow", "sound", "spaceship", "spark",
    "stone", "star", "sun", "sunset", "surf", "thunder", "tree", "universe", "valley", "violet",
    "voice", "water", "wave", "wildflower", "wind", "wood",
)


def generate_id(length=8):
    return "".join(_sysrand.choice(_ID_ALPHABET) for _ in range(length))


def generate_name():
    return "%s-%s-%d" % (_sysrand.choice(ADJECTIVES), _sysrand.choice(NOUNS), _sysrand.randint(1, 999))


def validate_run_id(run_id, what="id"):
    """Raises UsageError for ids W&B would reject; returns the id."""
    if not isinstance(run_id, str) or not run_id:
        raise UsageError("Run %s must be a non-empty string, got %r" % (what, run_id))
    bad = sorted(set(run_id) & _FORBIDDEN)
    if bad:
        raise UsageError(
            "Run %s %r contains invalid characters %s: run ids must not contain any of / \\ # ? %% :"
            % (what, run_id, " ".join(bad))
        )
    if len(run_id) > 128:
        raise UsageError("Run %s %r is longer than 128 characters" % (what, run_id))
    return run_id
