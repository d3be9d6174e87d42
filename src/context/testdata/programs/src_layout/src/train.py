#!/usr/bin/env python3
import yaml

from common import build_optimizer
from configs.defaults import CFG

opt = build_optimizer(CFG)
print(yaml.safe_dump(CFG))
