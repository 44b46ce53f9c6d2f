"""Data-parallel training on an existing engine: `gender_nbdev_train` started by Hugging Face
Accelerate's launcher as two CPU processes (the gloo backend) on the generated fixture. Both
processes must finish, the model must be written once (by the first process), and its metrics must
match a single-process run within noise (each process takes half the batch, so both runs take the
same optimiser steps on the same global batches; the shuffles and float sums differ)."""
from __future__ import annotations
import json, os, subprocess, sys
from pathlib import Path

import pandas as pd
from gender_nbdev.data import make_celeba_fixture

BIN = Path(sys.executable).parent
ARGS = ['--epochs', '4', '--size', '32', '--context', '1', '--lr', '0.003', '--mixup', '0']

def _env(tmp_path:Path) -> dict:
    return dict(os.environ, GENDER_NBDEV_CACHE=str(tmp_path/'cache'), CUDA_VISIBLE_DEVICES='', OMP_NUM_THREADS='1')

def test_two_cpu_processes_match_one(tmp_path):
    data = make_celeba_fixture(tmp_path/'celeba', n=(400, 100, 100))
    train = [str(BIN/'gender_nbdev_train'), '--data', str(data), *ARGS]
    single = subprocess.run(train + ['--bs', '16', '--out', str(tmp_path/'single')], capture_output=True, text=True, env=_env(tmp_path))
    assert single.returncode == 0, single.stderr[-3000:]
    launch = [str(BIN/'accelerate'), 'launch', '--multi_gpu', '--num_processes', '2', '--num_machines', '1',
              '--mixed_precision', 'no', '--dynamo_backend', 'no', '--main_process_port', '29533']
    multi = subprocess.run(launch + train + ['--bs', '8', '--out', str(tmp_path/'multi')],  # 2 x 8: the same global batch
                           capture_output=True, text=True, env=_env(tmp_path), timeout=900)
    assert multi.returncode == 0, multi.stderr[-3000:]
    assert multi.stdout.count('"valid"') == 1, 'only the first process reports and saves'
    one, two = (json.loads((tmp_path/d/'metrics.json').read_text()) for d in ('single', 'multi'))
    assert json.loads((tmp_path/'multi'/'model.json').read_text())['metrics'] == two
    assert pd.read_csv(tmp_path/'multi'/'history.csv').epoch.tolist() == [0, 1, 2, 3]
    for part in ('valid', 'test'):
        assert one[part]['accuracy'] > 0.9 and two[part]['accuracy'] > 0.9, (one[part], two[part])
        assert abs(one[part]['accuracy'] - two[part]['accuracy']) <= 0.05, (one[part], two[part])
