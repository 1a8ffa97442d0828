import wandb

run = wandb.init(project="e2e", name="e2e-failing")
for i in range(5):
    run.log({"value": i})
raise RuntimeError("this script fails on purpose")
