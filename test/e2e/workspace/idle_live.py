# Logs a few points, then stays running without logging until it is stopped (SIGTERM) or 120 s pass:
# what the status bar shows meanwhile can only come from the run's history, not from live points.
import time

import wandb

run = wandb.init(project="e2e", name="e2e-idle")
run.define_metric("acc*", hidden=True)
for step in range(3):
    run.log({"acc": 0.9, "accuracy": 0.8, "val/loss": 0.3, "loss": 0.5 / (step + 1), "loss10": 7.0})
print("logged; idling", flush=True)
deadline = time.time() + 120
while time.time() < deadline:
    time.sleep(0.2)
run.finish()
