"""Local sweeps from Python: `sweep()`, `agent()` and `controller()`, with W&B's signatures.

The sweep engine is the runtime's (runtime/sweeps/); these talk to it over HTTP, starting the runtime
of the data root (TRACKWELL_DIR, or the nearest `.trackwell`) when none is running. `entity` is
accepted and ignored: there are no accounts locally.
"""
import json
import os
import signal
import subprocess
import sys

from .dataroot import resolve_data_root
from .errors import Error, UnsupportedError, UsageError
from .runtime_api import Api, ApiError, cli_script, node_executable
from .settings import settings_from_env
from .writer import warn

__all__ = ["sweep", "agent", "controller", "Controller", "SweepConfigError"]


class SweepConfigError(UsageError, ValueError):
    """The sweep configuration is invalid; the message lists the runtime's findings."""


def _sweep_id(sweep_id):
    if not isinstance(sweep_id, str) or not sweep_id.strip():
        raise UsageError("sweep_id must be the id string sweep() returned, got %r" % (sweep_id,))
    return sweep_id.strip().rstrip("/").rsplit("/", 1)[-1]  # W&B also accepts "entity/project/id"


def _call(api, method, path, body=None):
    try:
        return api.call(method, path, body)
    except ApiError as e:
        raise UsageError(e.message) from None


def sweep(sweep, entity=None, project=None, prior_runs=None):
    """Validates and stores a sweep; returns its id. `sweep` is a dict or a callable returning one.

    The project is `project`, else the config's `project`, else $WANDB_PROJECT, else "uncategorized".
    `prior_runs` are ids of existing runs of that project to count as trials. Raises SweepConfigError
    (a ValueError) with the runtime's explanation when the configuration is invalid."""
    config = sweep() if callable(sweep) else sweep
    if not isinstance(config, dict):
        raise SweepConfigError("the sweep configuration must be a dict (or a function returning one), got %s"
                               % type(config).__name__)
    try:
        config = json.loads(json.dumps(config, allow_nan=False))
    except (TypeError, ValueError) as e:
        raise SweepConfigError("the sweep configuration must hold only JSON values (%s)" % e) from None
    _mark_float_ranges(config.get("parameters"))
    env = settings_from_env()
    project = project or config.get("project") or env.get("project")
    body = {"config": config, "project": project,
            "prior_runs": [getattr(r, "id", r) for r in prior_runs] if prior_runs else None}
    try:
        res = Api(resolve_data_root()).call("POST", "/api/sweeps", body)
    except ApiError as e:
        raise (SweepConfigError if e.status == 400 else UsageError)(e.message) from None
    for w in res.get("warnings") or ():
        warn("sweep configuration: %s" % w)
    if not (env.get("silent") or env.get("quiet")):
        sys.stderr.write("trackwell: Created sweep %s in project %s\n" % (res["id"], res["project"]))
    return res["id"]


def _mark_float_ranges(params):
    """In JSON 1.0 arrives as 1, yet how a bound is written decides uniform against int_uniform (as in a
    sweep file): a range with a float bound gets an explicit `distribution: uniform`."""
    if not isinstance(params, dict):
        return
    for spec in params.values():
        if not isinstance(spec, dict) or "distribution" in spec:
            continue
        if isinstance(spec.get("parameters"), dict):
            _mark_float_ranges(spec["parameters"])
        elif not ("value" in spec or "values" in spec) and any(isinstance(spec.get(k), float) for k in ("min", "max")):
            spec["distribution"] = "uniform"


def agent(sweep_id, function=None, entity=None, project=None, count=None):
    """Runs trials of a sweep: `function` in this process, one after another; without one, the sweep's
    `program` through the command agent (`trackwell agent SWEEP_ID [--count N]`). Stops after `count`
    trials, when the sweep has no more, or when 3 trials fail within a minute (then raises Error)."""
    sid = _sweep_id(sweep_id)
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        raise UsageError("count must be a positive whole number, got %r" % (count,))
    root = resolve_data_root()
    if function is None:
        return _command_agent(root, sid, count)
    if not callable(function):
        raise UsageError("function must be callable, got %s" % type(function).__name__)
    from .sweep_agent import FunctionAgent

    try:
        FunctionAgent(Api(root, retry=True), Api(root), root, sid, function, count).run()
    except ApiError as e:
        raise UsageError(e.message) from None


def _command_agent(root, sid, count):
    argv = [node_executable(), cli_script(), "agent", sid, "--dir", root] + (["--count", str(count)] if count else [])
    p = subprocess.Popen(argv)  # an argument array: no shell
    try:
        code = p.wait()
    except KeyboardInterrupt:
        p.send_signal(signal.SIGINT)  # the agent stops its trials and reports them
        p.wait()
        raise
    if code != 0:
        raise Error("trackwell agent %s exited with status %d (its messages are above)" % (sid, code))


_NOT_APPLICABLE = frozenset((
    "run", "step", "search", "schedule", "stop_runs", "print_status", "print_actions", "print_debug", "configure",
    "configure_search", "configure_stopping", "configure_metric", "configure_program", "configure_name",
    "configure_description", "configure_parameter", "configure_controller",
))


class Controller:
    """`wandb.controller()` for a local sweep. The runtime always runs the search itself, so what maps
    is control and status: pause(), resume(), stop() (running trials finish), cancel() (they are
    stopped), status(), state, best, done(), and create() for a controller made from a config. W&B's
    local-controller API (run, step, search, schedule, configure_*, ...) is not applicable and raises
    UnsupportedError."""

    def __init__(self, sweep_id=None, config=None, project=None):
        self._id = _sweep_id(sweep_id) if sweep_id is not None else None
        self._config, self._project = config, project
        self._api = Api(resolve_data_root())

    @property
    def sweep_id(self):
        return self._id

    def create(self):
        """Creates the sweep from the config given to controller(); returns its id."""
        if self._id is None:
            if self._config is None:
                raise UsageError("controller() was given neither a sweep id nor a configuration")
            self._id = sweep(self._config, project=self._project)
        return self._id

    def _path(self, tail=""):
        if self._id is None:
            raise UsageError("the sweep does not exist yet: call create() first")
        return "/api/sweeps/%s%s" % (self._id, tail)

    def _control(self, action):
        return _call(self._api, "POST", self._path("/control"), {"action": action})["state"]

    def pause(self):
        return self._control("pause")

    def resume(self):
        return self._control("resume")

    def stop(self):
        return self._control("stop")

    def cancel(self):
        return self._control("cancel")

    def status(self):
        """The sweep as `trackwell sweep show ID --json` prints it: state, counts, best, config, trials."""
        return _call(self._api, "GET", self._path())

    @property
    def state(self):
        return self.status()["state"]

    @property
    def best(self):
        return self.status()["best"]

    def done(self):
        return self.state in ("finished", "stopped", "cancelled")

    def __getattr__(self, name):
        if name in _NOT_APPLICABLE:
            def not_applicable(*args, **kwargs):
                raise UnsupportedError("controller().%s() is not applicable: the local runtime runs the sweep's search "
                                       "itself; use pause(), resume(), stop(), cancel() and status()" % name)
            return not_applicable
        raise AttributeError("%r object has no attribute %r" % (type(self).__name__, name))

    def __repr__(self):
        return "<trackwell sweep controller %s>" % (self._id or "(not created)")


def controller(sweep_id_or_config=None, entity=None, project=None):
    """A Controller for an existing sweep id, or for a config dict (then create() makes the sweep)."""
    if isinstance(sweep_id_or_config, dict) or callable(sweep_id_or_config):
        return Controller(config=sweep_id_or_config, project=project)
    if sweep_id_or_config is None:
        sid = os.environ.get("TRACKWELL_SWEEP_ID") or os.environ.get("WANDB_SWEEP_ID")
        if not sid:
            raise UsageError("controller() needs a sweep id (or a config); none is set in the environment")
        return Controller(sid)
    return Controller(sweep_id_or_config)

