# The network half of the estate, in a module so that findings carry addresses such as
# module.net.aws_subnet.s[1].

variable "name" {
  type = string
}

variable "cidr" {
  type = string
}

variable "subnet_count" {
  type    = number
  default = 3
}

resource "aws_vpc" "this" {
  cidr_block           = var.cidr
  enable_dns_hostnames = true
  tags = {
    Name = var.name
    tier = "network"
  }
}

resource "aws_subnet" "s" {
  count             = var.subnet_count
  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(var.cidr, 8, count.index)
  availability_zone = "us-east-1${element(["a", "b", "c"], count.index)}"
  tags = {
    Name = "${var.name}-${count.index}"
  }
}

resource "aws_internet_gateway" "gw" {
  vpc_id = aws_vpc.this.id
  tags = {
    Name = var.name
  }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.gw.id
  }
  tags = {
    Name = "${var.name}-public"
  }
}

resource "aws_security_group" "web" {
  name        = "${var.name}-web"
  description = "web tier"
  vpc_id      = aws_vpc.this.id

  ingress {
    description = "https"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = {
    Name = "${var.name}-web"
  }
}

output "vpc_id" {
  value = aws_vpc.this.id
}

output "subnet_ids" {
  value = aws_subnet.s[*].id
}

output "security_group_id" {
  value = aws_security_group.web.id
}
