import math
import time

import wandb


def main():
    run = wandb.init(project="e2e", name="e2e-live", config={"lr": 0.01, "steps": 60})
    for step in range(run.config.steps):
        run.log({"loss": math.exp(-step / 20), "acc": 1 - math.exp(-step / 15)})
        print(f"step {step}")
        time.sleep(0.25)
    run.finish()


if __name__ == "__main__":
    main()
