terraform {
  backend "s3" {
    bucket                      = "cloudrift-e2e-state"
    key                         = "apps/prod/terraform.tfstate"
    region                      = "us-east-1"
    use_path_style              = true
    skip_credentials_validation = true
    skip_requesting_account_id  = true
    skip_metadata_api_check     = true
    skip_region_validation      = true
  }
}

provider "aws" {
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
}

module "users" {
  source = "./modules/users"
  team   = "payments"
}

resource "aws_cloudwatch_log_group" "app" {
  name              = "/cloudrift-e2e/app"
  retention_in_days = 7
}

resource "aws_iam_policy" "extra" {
  name = "cloudrift-e2e-extra"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:ListAllMyBuckets", Resource = "*" }]
  })
}
