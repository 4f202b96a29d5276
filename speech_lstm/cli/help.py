"""A job's `--help`: what it takes, explained by the config comments and the schemas' docstrings.

Only the job's own settings are shown: the keys of its primary config (`conf/<job>.yaml`) and,
for each config group in its defaults list, the options to choose from and the chosen option's
keys. Values are the defaults after the overrides given beside `--help`. Each key's
explanation is its comment in the YAML file, else its entry in the schema dataclass's
`Attributes:` docstring section (or the comment above the field).
"""

from __future__ import annotations

import inspect
import re
import textwrap
from pathlib import Path
from typing import Any

from speech_lstm.cli.app import CONFIG_DIR
from speech_lstm.cli.registry import HydraJob

WIDTH = 100
KEY_COLUMN = 34
KEY_LINE = re.compile(r"^(?P<indent>\s*)(?P<key>[A-Za-z_][\w-]*):(?P<rest>.*)$")


def job_help(job: HydraJob, argv: list[str], prog: str) -> str:
    """The help text of `job`, with the overrides and `--config-dir` found in `argv`."""
    config_dirs = [CONFIG_DIR, *_config_dir_flags(argv)]
    overrides = [arg for arg in argv if "=" in arg and not arg.startswith("-")]
    groups = _groups(config_dirs, job.config_name)
    # A required group (`dataset: ???`) not given: composed with its first option, for the
    # other settings, and shown as required without that option's keys.
    required = {
        group
        for group, option in groups.items()
        if option == "???" and not any(arg.startswith(f"{group}=") for arg in overrides)
    }
    stand_ins = [f"{group}={_options(config_dirs, group)[0]}" for group in sorted(required)]
    cfg = _compose(job.config_name, [*overrides, *stand_ins], config_dirs[1:])
    primary = _find(config_dirs, f"{job.config_name}.yaml")
    lines = [
        f"usage: {prog} [key=value ...] [group=option ...] [hydra flags]",
        "",
        f"{job.summary[0].upper()}{job.summary[1:]}.",
        *_header(primary, job),
    ]
    schema_doc = _description(type(_object_type(cfg)))
    if schema_doc:
        lines += ["", *textwrap.wrap(_as_commands(schema_doc), WIDTH)]
    keys = [key for key in cfg if key not in groups and key != "hydra"]
    if keys:
        lines += ["", "settings (key=value; the default shown):"]
        lines += _key_lines(cfg, keys, "", _yaml_comments(primary), _field_docs(cfg))
    for group in groups:
        lines += ["", *_group_lines(cfg, group, config_dirs, group in required)]
    lines += [
        "",
        "hydra flags: --cfg job (print the composed config), -m (sweep: key=a,b), --info,",
        "  --config-dir DIR (your own configs first: DIR/<group>/<option>.yaml or a whole",
        f"  DIR/{job.config_name}.yaml), hydra.searchpath=[file:///ABS/DIR] (more config folders),",
        "  hydra.run.dir=DIR (the run directory), --hydra-help.",
    ]
    return "\n".join(lines)


def _compose(config_name: str, overrides: list[str], extra_dirs: list[Path]) -> Any:
    from hydra import compose, initialize_config_dir

    from speech_lstm.config import register_configs

    register_configs()
    searchpath = ",".join(f"file://{Path(d).resolve()}" for d in extra_dirs)
    extra = [f"hydra.searchpath=[{searchpath}]"] if extra_dirs else []
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose(
            config_name=config_name, overrides=[*extra, *overrides], return_hydra_config=True
        )


def _config_dir_flags(argv: list[str]) -> list[Path]:
    dirs = []
    for index, arg in enumerate(argv):
        if arg in ("--config-dir", "-cd") and index + 1 < len(argv):
            dirs.append(Path(argv[index + 1]))
        elif arg.startswith("--config-dir="):
            dirs.append(Path(arg.split("=", 1)[1]))
    return dirs


def _find(config_dirs: list[Path], relative: str) -> Path | None:
    """The file a config name resolves to: the last directory given wins, as in Hydra."""
    for folder in reversed(config_dirs):
        if (Path(folder) / relative).is_file():
            return Path(folder) / relative
    return None


def _groups(config_dirs: list[Path], config_name: str) -> dict[str, str]:
    """Group -> default option, from the defaults lists of the primary config and its bases."""
    import yaml

    path = _find(config_dirs, f"{config_name}.yaml")
    if path is None:
        return {}
    groups: dict[str, str] = {}
    for entry in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("defaults", []):
        if isinstance(entry, str):
            if entry != "_self_" and not entry.endswith("_schema"):
                groups.update(_groups(config_dirs, entry))
            continue
        for key, option in entry.items():
            name = key.split()[-1]  # "optional experiment" -> "experiment"
            if not name.startswith("hydra/") and not name.endswith("_schema"):
                groups[name] = "null" if option is None else str(option)
    return groups


def _header(path: Path | None, job: HydraJob) -> list[str]:
    """The primary config's leading comment, its script command lines shown as subcommands."""
    if path is None:
        return []
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        text = line[1:].rstrip()
        text = _as_commands(text)
        lines.append(text[1:] if text.startswith(" ") else text)
    return lines


def _command(script: str) -> str:
    return f"speech-lstm {script.replace('_', '-')}"


def _options(config_dirs: list[Path], group: str) -> list[str]:
    return sorted(
        {path.stem for folder in config_dirs for path in Path(folder, group).glob("*.yaml")}
    )


def _group_lines(cfg: Any, group: str, config_dirs: list[Path], required: bool) -> list[str]:
    options = _options(config_dirs, group)
    if required:
        lines = [f"{group}=???  (required: choose one of the following; its keys are then shown)"]
        for option in options:
            summary = _summary(_find(config_dirs, f"{group}/{option}.yaml"))
            lines += _wrap(f"    {option}  ", _as_commands(summary))
        return lines
    chosen = _chosen_option(cfg, group)
    lines = [f"{group}={chosen}  (choose one of:)"]
    width = max((len(option) for option in options), default=0)
    for option in options:
        summary = _summary(_find(config_dirs, f"{group}/{option}.yaml"))
        lines += _wrap(f"    {option:<{width}}  ", _as_commands(summary))
    node = cfg.get(group) if group in cfg else None
    option_file = _find(config_dirs, f"{group}/{chosen}.yaml")
    from omegaconf import DictConfig

    if isinstance(node, DictConfig) and len(node):
        lines.append(f"  {group}'s keys ({group}.KEY=VALUE):")
        comments = _yaml_comments(option_file)
        lines += _key_lines(node, list(node), f"  {group}.", comments, _field_docs(node))
    return lines


def _chosen_option(cfg: Any, group: str) -> str:
    return str(cfg.hydra.runtime.choices.get(group) or "null")


def _key_lines(
    node: Any, keys: list[str], prefix: str, comments: dict[str, str], docs: dict[str, str]
) -> list[str]:
    from omegaconf import DictConfig, ListConfig, OmegaConf

    lines = []
    for key in keys:
        value = node._get_node(key)
        if isinstance(value, DictConfig):
            shown = "{...}"
        elif isinstance(value, ListConfig):
            shown = str(OmegaConf.to_container(value, resolve=False))
        else:
            shown = _yaml_scalar(value._value())
        if len(shown) > 40:
            shown = shown[:36] + " ..."
        text = comments.get(key) or docs.get(key, "")
        lines += _wrap(f"  {prefix}{key}={shown}", _as_commands(text))
    return lines


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _as_commands(text: str) -> str:
    """`scripts/export.py` (or `python scripts/export.py`) written as `speech-lstm export`."""
    return re.sub(r"(?:python )?scripts/(\w+)\.py", lambda m: _command(m.group(1)), text)


def _wrap(left: str, text: str) -> list[str]:
    if not text:
        return [left]
    pad = " " * KEY_COLUMN
    first = left.ljust(KEY_COLUMN) if len(left) < KEY_COLUMN - 1 else None
    wrapped = textwrap.wrap(text, WIDTH - KEY_COLUMN)
    if first is None:
        return [left, *(pad + line for line in wrapped)]
    return [first + wrapped[0], *(pad + line for line in wrapped[1:])]


def _summary(path: Path | None) -> str:
    """An option file's first comment sentence (a `# @package` line skipped)."""
    if path is None:
        return ""
    text = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#") or line.startswith("# @package"):
            if text or not line.startswith("# @package"):
                break
            continue
        text.append(line.lstrip("#").strip())
    sentence = " ".join(text)
    end = re.search(r"[^.]\.\s", sentence)
    return sentence if end is None else sentence[: end.start() + 2]


def _yaml_comments(path: Path | None) -> dict[str, str]:
    """Top-level key -> its comment: the lines right above it, or inline and continued below."""
    if path is None:
        return {}
    comments: dict[str, str] = {}
    above: list[str] = []
    last_key = None
    lines = path.read_text(encoding="utf-8").splitlines()
    while lines and lines[0].startswith("#"):  # the file's own header, not its first key's
        lines.pop(0)
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("#"):
            if line.startswith("#"):
                above.append(stripped.lstrip("#").strip())
            elif last_key is not None and last_key in comments:  # an inline comment goes on
                comments[last_key] += " " + stripped.lstrip("#").strip()
            continue
        match = KEY_LINE.match(line)
        if match and not match["indent"]:
            inline = _inline_comment(match["rest"])
            text = " ".join([*above, inline]).strip() if (above or inline) else ""
            last_key = match["key"]
            if text:
                comments[last_key] = text
        elif match is None or not match["indent"]:
            last_key = None
        above = []
    return comments


def _inline_comment(rest: str) -> str:
    quote = None
    for index, char in enumerate(rest):
        if char in "\"'" and quote in (None, char):
            quote = None if quote else char
        elif char == "#" and quote is None and (index == 0 or rest[index - 1].isspace()):
            return rest[index + 1 :].strip()
    return ""


def _object_type(node: Any) -> Any:
    from omegaconf import OmegaConf

    schema = OmegaConf.get_type(node)
    return schema() if isinstance(schema, type) and schema is not dict else {}


def _description(schema: type) -> str:
    """A schema docstring's text before its `Attributes:` section (dict: none)."""
    if schema is dict or not schema.__doc__:
        return ""
    text = inspect.cleandoc(schema.__doc__).split("Attributes:")[0]
    return " ".join(text.split())


def _field_docs(node: Any) -> dict[str, str]:
    """Field -> explanation from the node's schema: `Attributes:` entries, else comments above
    the field in the class body."""
    from omegaconf import OmegaConf

    schema = OmegaConf.get_type(node)
    if not isinstance(schema, type) or schema is dict:
        return {}
    docs: dict[str, str] = {}
    doc = inspect.cleandoc(schema.__doc__ or "")
    if "Attributes:" in doc:
        current = None
        for line in doc.split("Attributes:", 1)[1].splitlines():
            match = re.match(r"^    (\w+): (.*)$", line)
            if match:
                current = match[1]
                docs[current] = match[2].strip()
            elif current and line.startswith("        "):
                docs[current] += " " + line.strip()
            elif line.strip():
                current = None
    try:
        source = inspect.getsource(schema).splitlines()
    except (OSError, TypeError):
        return docs
    above: list[str] = []
    for line in source:
        stripped = line.strip()
        if stripped.startswith("#"):
            above.append(stripped.lstrip("#").strip())
            continue
        match = re.match(r"^    (\w+): ", line)
        if match and above and match[1] not in docs:
            docs[match[1]] = " ".join(above)
        above = []
    return docs
