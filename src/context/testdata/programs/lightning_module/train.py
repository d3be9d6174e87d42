import lightning.pytorch as pl
import torch
from torch import nn


class LitRegressor(pl.LightningModule):
    def __init__(self, lr: float = 1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(8, 32), nn.ELU(), nn.Linear(32, 32), nn.Softplus(), nn.Linear(32, 1))
        self.criterion = nn.SmoothL1Loss()

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.criterion(self.net(x), y)
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        optimizer = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10)
        return {"optimizer": optimizer, "lr_scheduler": scheduler}


if __name__ == "__main__":
    trainer = pl.Trainer(max_epochs=3)
    trainer.fit(LitRegressor())
