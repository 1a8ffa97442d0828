"""A small training loop written the way W&B users write them: runs unmodified under
`trackwell run examples/demo.py` (it imports `wandb`; Trackwell's compatibility module answers)."""
import math
import random
import sys
import time

import wandb

config = {"learning_rate": 0.05, "epochs": 8, "batch_size": 64, "optimizer": {"name": "adam", "betas": [0.9, 0.999]}}
run = wandb.init(project="demo", config=config, tags=["demo"], notes="The demo run from the README.")
run.define_metric("epoch")
run.define_metric("val/*", step_metric="epoch")
run.define_metric("train/loss", summary="min")

steps_per_epoch = 40
for epoch in range(run.config.epochs):
    for batch in range(steps_per_epoch):
        step = epoch * steps_per_epoch + batch
        loss = math.exp(-step / 120) + random.random() * 0.05
        wandb.log({"train/loss": loss, "train/lr": run.config.learning_rate * 0.95 ** epoch})
        done = int(30 * (batch + 1) / steps_per_epoch)
        sys.stdout.write(f"\repoch {epoch + 1}/{run.config.epochs} [{'#' * done}{'.' * (30 - done)}] loss {loss:.4f}")
        sys.stdout.flush()
        time.sleep(0.03)
    acc = 1 - math.exp(-(epoch + 1) / 3) - random.random() * 0.02
    wandb.log({"epoch": epoch, "val/acc": acc, "val/loss": 1 - acc})
    print(f"\nepoch {epoch + 1}: val/acc {acc:.3f}")

run.summary["best_val_acc"] = acc
wandb.finish()
